import assert from "node:assert/strict";
import { type SegmenterOptions, SentenceSegmenterStream } from "./sentence_segmenter.ts";
import { normalizationRules, normalizeText, TextNormalizerStream } from "./text_normalizer.ts";

/** `[written, spoken]` rows of one class of text. */
type Table = readonly (readonly [string, string])[];

/** Checks each row of `table` in `language`, naming the failing row. */
function checkTable(table: Table, language = "en"): void {
  for (const [written, spoken] of table) {
    assert.equal(normalizeText(written, language), spoken, `input ${JSON.stringify(written)}`);
  }
}

/** English rows by class; each class is one test below, and all rows feed the property tests. */
const ENGLISH: Readonly<Record<string, Table>> = {
  numbers: [
    ["I have 2 cats.", "I have two cats."],
    ["-7", "minus seven"],
    ["It was -7 outside.", "It was minus seven outside."],
    ["1,234,567", "one million two hundred thirty-four thousand five hundred sixty-seven"],
    ["10,000 people", "ten thousand people"],
    ["1000000", "one million"],
    ["007", "zero zero seven"],
    ["Room 5B", "Room five B"],
    ["COVID-19", "COVID-nineteen"],
    ["5-10 people", "five to ten people"],
    ["ISBN 978-3-16", "ISBN nine seven eight, three, one six"],
    ["Call 555-123-4567.", "Call five five five, one two three, four five six seven."],
    // Service and emergency numbers after a phone word, digit by digit; numbers elsewhere.
    ["Call 911 now.", "Call nine one one now."],
    ["Dial 112 in Europe.", "Dial one one two in Europe."],
    ["Text 988 if you need help.", "Text nine eight eight if you need help."],
    ["Call 100 people.", "Call one hundred people."],
    ["In 1999, 911 calls.", "In nineteen ninety-nine, nine hundred eleven calls."],
    // Also before a noun that names the service (singular, or plural after "the" and the like).
    ["the 911 call", "the nine one one call"],
    ["A 911 dispatcher answered.", "A nine one one dispatcher answered."],
    ["911 operator", "nine one one operator"],
    ["call 911", "call nine one one"],
    ["a 911 emergency", "a nine one one emergency"],
    ["the 911 line", "the nine one one line"],
    ["a 911 call center", "a nine one one call center"],
    ["The 911 calls were recorded.", "The nine one one calls were recorded."],
    ["Their 999 operators", "Their nine nine nine operators"],
    ["the 311 hotline", "the three one one hotline"],
    // Elsewhere, and before a plural without "the", a count or a name.
    ["911 people", "nine hundred eleven people"],
    ["in 911 AD", "in nine hundred eleven AD"],
    ["Porsche 911", "Porsche nine hundred eleven"],
    ["a Porsche 911 owner", "a Porsche nine hundred eleven owner"],
    ["911 operators", "nine hundred eleven operators"],
    ["about 999 operators", "about nine hundred ninety-nine operators"],
    ["the 911 calling", "the nine hundred eleven calling"],
    ["the 911 line-up", "the nine hundred eleven line-up"],
    ["1/2 cup", "one half cup"],
    ["3/4 of it", "three quarters of it"],
    ["2 1/2 cups", "two and one half cups"],
    // Set phrases with slashes; other numbers with a slash keep theirs (a fraction, a date or a
    // rate has its own reading).
    ["24/7", "twenty-four seven"],
    ["We're open 24/7.", "We're open twenty-four seven."],
    ["24/7 support", "twenty-four seven support"],
    ["24x7 support", "twenty-four seven support"],
    ["24/7/365", "twenty-four seven, three sixty-five"],
    ["365/24/7", "three sixty-five, twenty-four seven"],
    ["7/24", "seven slash twenty-four"],
    ["24/70", "twenty-four slash seventy"],
    ["124/7", "one hundred twenty-four slash seven"],
    ["12/25", "twelve slash twenty-five"],
    ["3/4/2025", "March fourth, twenty twenty-five"],
    ["1/2", "one half"],
    ["$5/month", "five dollars a month"],
  ],
  phones: [
    ["Call +1 555-123-4567.", "Call plus one, five five five, one two three, four five six seven."],
    ["1-800-555-1234", "one, eight zero zero, five five five, one two three four"],
    ["+1 (555) 123-4567", "plus one, five five five, one two three, four five six seven"],
    ["1 (800) 555-1234", "one, eight zero zero, five five five, one two three four"],
    ["(555) 123-4567", "five five five, one two three, four five six seven"],
    ["Call 555.123.4567 now", "Call five five five, one two three, four five six seven now"],
    // International: "+", a country code and digit groups, 7 to 15 digits in all.
    ["+44 20 7946 0958", "plus four four, two zero, seven nine four six, zero nine five eight"],
    ["Call +49 30 123456.", "Call plus four nine, three zero, one two three four five six."],
    ["+33 1.23.45.67.89", "plus three three, one, two three, four five, six seven, eight nine"],
    ["+91-98765-43210", "plus nine one, nine eight seven six five, four three two one zero"],
    ["+44 20", "plus forty-four twenty"],
    // Seven digits: a phone number after a phone word in the same sentence, else a range.
    ["Call 555-1234.", "Call five five five, one two three four."],
    ["Call me at 555-1234 today.", "Call me at five five five, one two three four today."],
    ["My number is 555-1234.", "My number is five five five, one two three four."],
    ["Tel: 555-1234", "Tel: five five five, one two three four"],
    ["Reach us at 555-1234.", "Reach us at five five five, one two three four."],
    [
      "Call 555-1234 or 555-5678.",
      "Call five five five, one two three four or five five five, five six seven eight.",
    ],
    // Groups apart with spaces: a phone number only after a phone word too.
    ["Call me at 555 0199.", "Call me at five five five, zero one nine nine."],
    ["phone: 020 7946 0018", "phone: zero two zero, seven nine four six, zero zero one eight"],
    ["dial 555 1234", "dial five five five, one two three four"],
    ["Call 555 123 4567 now.", "Call five five five, one two three, four five six seven now."],
    [
      "Call me on (020) 7946 0018.",
      "Call me on zero two zero, seven nine four six, zero zero one eight.",
    ],
    ["Tel: 01 23 45 67 89", "Tel: zero one, two three, four five, six seven, eight nine"],
    ["Fax 030 123456", "Fax zero three zero, one two three four five six"],
    [
      "dial 1 800 555 0199",
      "dial one, eight zero zero, five five five, zero one nine nine",
    ],
    ["Call 555 1234 ext. 12", "Call five five five, one two three four, extension one two"],
    [
      "I have 555 1234 apples",
      "I have five hundred fifty-five one thousand two hundred thirty-four apples",
    ],
    // After a phone word, round numbers, thousands apart with spaces and short groups stay numbers.
    ["Call 500 1000 people.", "Call five hundred one thousand people."],
    ["Text 1 000 000 users.", "Text one zero zero zero zero zero zero users."],
    ["Call 2 3 people", "Call two three people"],
    ["500-1000 people", "five hundred to one thousand people"],
    ["pages 555-1234", "pages five hundred fifty-five to twelve thirty-four"],
    ["Call me. Pages 555-1234.", "Call me. Pages five hundred fifty-five to twelve thirty-four."],
    // After a phone word, a range whose first number cannot open a local number stays a range.
    [
      "The text on pages 100-1999 is long.",
      "The text on pages one hundred to nineteen ninety-nine is long.",
    ],
    ["The text has 500-1000 words.", "The text has five hundred to one thousand words."],
    // Vanity toll-free numbers: the digits as in `1-800-555-1234`, the letters as words.
    ["1-800-FLOWERS", "one, eight zero zero, flowers"],
    ["Call 1-800-GOT-JUNK today.", "Call one, eight zero zero, got junk today."],
    ["+1 (888) NEW-CARS", "plus one, eight eight eight, new cars"],
    ["Order at 1-800-Flowers.", "Order at one, eight zero zero, flowers."],
    ["1 800 CONTACTS", "one, eight zero zero, contacts"],
    ["1-877-KARS4KIDS", "one, eight seven seven, kars four kids"],
    ["1-800-555-HELP", "one, eight zero zero, five five five, help"],
    ["(800) FLOWERS", "eight zero zero, flowers"],
    ["Call 800-FLOWERS.", "Call eight zero zero, flowers."],
    ["1-800-FLOWERS ext. 5", "one, eight zero zero, flowers, extension five"],
    // Without the 1, a bracket or a phone word, or not a toll-free code: as before.
    ["an 800-pound gorilla", "an eight hundred-pound gorilla"],
    ["1-900-FLOWERS", "one to nine hundred-FLOWERS"],
    ["1 800 flowers", "one eight hundred flowers"],
    // Extensions.
    [
      "555-123-4567 ext. 123",
      "five five five, one two three, four five six seven, extension one two three",
    ],
    [
      "Call 555-123-4567 x123.",
      "Call five five five, one two three, four five six seven, extension one two three.",
    ],
    [
      "+44 20 7946 0958, ext 5",
      "plus four four, two zero, seven nine four six, zero nine five eight, extension five",
    ],
    ["Call 555-1234 ext. 12", "Call five five five, one two three four, extension one two"],
    ["Dial ext. 42", "Dial extension four two"],
  ],
  ordinals: [
    ["1st 2nd 23rd", "first second twenty-third"],
    ["the 11th and 12th", "the eleventh and twelfth"],
    ["101st", "one hundred first"],
    // Thousands separators: the whole number is the ordinal.
    ["the 1,000th visitor", "the one thousandth visitor"],
    ["2,500th", "two thousand five hundredth"],
    ["1,001st", "one thousand first"],
    ["the 1,000,000th time", "the one millionth time"],
    ["12,345th", "twelve thousand three hundred forty-fifth"],
  ],
  decimals: [
    ["1.5", "one point five"],
    ["0.5", "zero point five"],
    ["3.14159", "three point one four one five nine"],
    [".5", "point five"],
    ["-0.25", "minus zero point two five"],
    ["It's 3.14.", "It's three point one four."],
    ["version 1.10.2", "version one point ten point two"],
  ],
  currency: [
    ["$3.50", "three dollars and fifty cents"],
    ["It costs $3.50.", "It costs three dollars and fifty cents."],
    ["$1", "one dollar"],
    ["$0.01", "one cent"],
    ["$.50", "fifty cents"],
    ["$1.01", "one dollar and one cent"],
    ["-$5", "minus five dollars"],
    ["$1,000", "one thousand dollars"],
    ["$5M", "five million dollars"],
    ["$1.5 billion", "one point five billion dollars"],
    ["€5", "five euros"],
    ["£2.50", "two pounds and fifty pence"],
    ["¥500", "five hundred yen"],
    ["10 USD", "ten dollars"],
    ["EUR 5.50", "five euros and fifty cents"],
    ["$1.5M", "one point five million dollars"],
    ["$2B", "two billion dollars"],
    ["$300K", "three hundred thousand dollars"],
    // Dollars named by country.
    ["US$5", "five US dollars"],
    ["US$1.50", "one US dollar and fifty cents"],
    ["A$5", "five Australian dollars"],
    ["C$5", "five Canadian dollars"],
    ["10 AUD", "ten Australian dollars"],
    ["~US$5", "about five US dollars"],
  ],
  // Money per unit: a time unit takes "a" or "an", other units and other words "per".
  rates: [
    ["$5/month", "five dollars a month"],
    ["$5 / mo", "five dollars a month"],
    ["$20/hr", "twenty dollars an hour"],
    ["$3 per kg", "three dollars per kilogram"],
    ["$3/kg", "three dollars per kilogram"],
    ["$2.99 per lb. Fresh.", "two dollars and ninety-nine cents per pound. Fresh."],
    ["€9.99/month", "nine euros and ninety-nine cents a month"],
    ["5€/month", "five euros a month"],
    ["$100/night", "one hundred dollars a night"],
    ["$5/person", "five dollars per person"],
    ["$10/user/month", "ten dollars per user per month"],
    ["$5 per month", "five dollars per month"],
    ["$5/2", "five dollars slash two"],
  ],
  // The currency is named once, after the second amount and its magnitude.
  moneyRanges: [
    ["$5-10 million", "five to ten million dollars"],
    ["$5-$10", "five to ten dollars"],
    ["$5 - $10", "five to ten dollars"],
    ["$5–10", "five to ten dollars"],
    ["$500K-$1M", "five hundred thousand to one million dollars"],
    ["$20-30/hr", "twenty to thirty dollars an hour"],
    ["~$5-10", "about five to ten dollars"],
    ["US$5-10 million", "five to ten million US dollars"],
    // Cents are read in full on both sides; two currencies are two amounts.
    ["$1.50-$2", "one dollar and fifty cents to two dollars"],
    ["$0.50-$1", "fifty cents to one dollar"],
    ["$5-€10", "five dollars to ten euros"],
    ["€5-10", "five to ten euros"],
    ["5-10 EUR", "five to ten euros"],
    ["$1990-2000", "one thousand nine hundred ninety to two thousand dollars"],
  ],
  percentages: [
    ["12.5%", "twelve point five percent"],
    ["It's 100% sure.", "It's one hundred percent sure."],
    ["-3 %", "minus three percent"],
  ],
  times: [
    ["3:45 pm", "three forty-five PM"],
    ["At 3:45 p.m.", "At three forty-five PM."],
    ["at 5 p.m. today", "at five PM today"],
    ["at 5 p.m. Then we left.", "at five PM. Then we left."],
    ["Open at 9am", "Open at nine AM"],
    ["12:00", "twelve o'clock"],
    ["13:30", "thirteen thirty"],
    ["9:05", "nine oh five"],
    ["12:30:15", "twelve thirty and fifteen seconds"],
    // A dash between two times is a range.
    ["9am-5pm", "nine AM to five PM"],
    ["9am–5pm", "nine AM to five PM"],
    ["9 a.m. – 5 p.m.", "nine AM to five PM."],
    ["9:30am–5:00pm", "nine thirty AM to five PM"],
    ["10am-4", "ten AM to four"],
    ["9-5pm", "nine to five PM"],
    ["9:00-17:00", "nine o'clock to seventeen hundred"],
  ],
  // Days: a range or list of them, abbreviated ones only where they are clearly days.
  weekdays: [
    ["Mon–Fri", "Monday to Friday"],
    ["Mon-Fri", "Monday to Friday"],
    ["Mon - Fri", "Monday to Friday"],
    ["Monday–Friday", "Monday to Friday"],
    ["Monday - Friday", "Monday to Friday"],
    ["9am–5pm Mon–Fri", "nine AM to five PM Monday to Friday"],
    ["Open Mon–Sat.", "Open Monday to Saturday."],
    ["Open Mon.–Fri. Closed Sun.", "Open Monday to Friday. Closed Sunday."],
    ["Tue to Thu", "Tuesday to Thursday"],
    ["Tues through Thurs", "Tuesday through Thursday"],
    ["Thur-Sun", "Thursday to Sunday"],
    ["MON–FRI", "Monday to Friday"],
    ["Sat & Sun", "Saturday and Sunday"],
    ["Mon, Wed and Fri", "Monday, Wednesday and Friday"],
    ["Mon/Wed/Fri", "Monday, Wednesday, Friday"],
    ["Mon-Wed-Fri", "Monday, Wednesday, Friday"],
    ["every Mon and Thu", "every Monday and Thursday"],
    [
      "Mon–Fri 9am–5pm, Sat 10am–2pm",
      "Monday to Friday nine AM to five PM, Saturday ten AM to two PM",
    ],
    // One abbreviated day: after on, every, open and the like, or before a time or a date.
    ["on Mon", "on Monday"],
    ["See you on Fri.", "See you on Friday."],
    ["every Wed", "every Wednesday"],
    ["Open Sun 10am-4pm", "Open Sunday ten AM to four PM"],
    ["Sat 9:30", "Saturday nine thirty"],
    ["Sat: 10am–2pm", "Saturday: ten AM to two PM"],
    ["Fri, Mar 5", "Friday, March fifth"],
    ["Thu 12 March", "Thursday the twelfth of March"],
    ["Fri 13th", "Friday thirteenth"],
    ["Thurs. 5pm", "Thursday five PM"],
    ["Wed 2024-03-06", "Wednesday March sixth, twenty twenty-four"],
    // Words, not days: lowercase, capitals alone, no day context.
    ["The Sun rose.", "The Sun rose."],
    ["Sat by the fire.", "Sat by the fire."],
    ["Sun and sand", "Sun and sand"],
    ["The SAT is hard.", "The SAT is hard."],
    ["on SAT scores", "on SAT scores"],
    ["Newly Wed", "Newly Wed"],
    ["Mon ami", "Mon ami"],
    ["on Sun Microsystems hardware", "on Sun Microsystems hardware"],
    ["We met on Monday.", "We met on Monday."],
  ],
  dates: [
    ["2024-03-01", "March first, twenty twenty-four"],
    ["2024-02-29", "February twenty-ninth, twenty twenty-four"],
    ["12/25/2024", "December twenty-fifth, twenty twenty-four"],
    ["25/12/2024", "the twenty-fifth of December, twenty twenty-four"],
    ["Jan. 5, 2024", "January fifth, twenty twenty-four"],
    ["5 March 2024", "the fifth of March, twenty twenty-four"],
    ["March 5th", "March fifth"],
    // Not a calendar day: not read as a date.
    ["2023-02-29", "two zero two three, zero two, two nine"],
  ],
  years: [
    ["in 1999", "in nineteen ninety-nine"],
    ["Prices in 2024 rose 3%.", "Prices in twenty twenty-four rose three percent."],
    ["The 1990s", "The nineteen nineties"],
    ["the '80s", "the eighties"],
    ["1990-2000", "nineteen ninety to two thousand"],
    ["500 B.C.", "five hundred BC."],
    ["1066 AD", "ten sixty-six AD"],
    // After a reporting period (quarter, half, fiscal or calendar year), a year is read as one.
    ["Q3 2024", "Q three twenty twenty-four"],
    ["Revenue rose in Q3 2024.", "Revenue rose in Q three twenty twenty-four."],
    ["Q4 1999 results", "Q four nineteen ninety-nine results"],
    ["H1 2025", "H one twenty twenty-five"],
    ["FY2024", "F Y twenty twenty-four"],
    ["FY 2024", "F Y twenty twenty-four"],
    ["FY24", "F Y twenty-four"],
    ["FY05", "F Y oh five"],
    ["FY'24", "F Y twenty-four"],
    ["Q3 '24", "Q three twenty-four"],
    ["CY2023", "C Y twenty twenty-three"],
    ["Q4 FY24", "Q four F Y twenty-four"],
    ["Q1–Q3 2024", "Q one to Q three twenty twenty-four"],
    ["Q1-Q2", "Q one to Q two"],
    ["Q3-2024", "Q three twenty twenty-four"],
    ["Q3 2024–Q1 2025", "Q three twenty twenty-four to Q one twenty twenty-five"],
    ["Q1 2023-2024", "Q one twenty twenty-three to twenty twenty-four"],
    ["FY2024-25", "F Y twenty twenty-four to twenty-five"],
    ["FY2024/25", "F Y twenty twenty-four to twenty-five"],
    ["FY24-25", "F Y twenty-four to twenty-five"],
    ["FY2024-FY2025", "F Y twenty twenty-four to F Y twenty twenty-five"],
    ["In FY2024, sales were $5M.", "In F Y twenty twenty-four, sales were five million dollars."],
    ["this FY", "this F Y"],
    // Without a year, or before another number, as before.
    ["Q3", "Q three"],
    ["Q3 500 units", "Q three five hundred units"],
    ["Q3 24 units", "Q three twenty-four units"],
    ["H2O", "H two O"],
    ["FY245", "F Y two hundred forty-five"],
    ["Q5 2024", "Q five two thousand twenty-four"],
  ],
  abbreviations: [
    ["Dr. Smith lives on Elm St.", "Doctor Smith lives on Elm Street."],
    [
      "Dr. Smith lives on Elm St. and St. Louis.",
      "Doctor Smith lives on Elm Street and Saint Louis.",
    ],
    ["Visit St. Louis", "Visit Saint Louis"],
    ["I live on Oak Dr. He is nice.", "I live on Oak Drive. He is nice."],
    ["I met Dr. Smith at 5 Oak Dr. today.", "I met Doctor Smith at five Oak Drive today."],
    ["on 5th St.", "on fifth Street."],
    ["Thanks, Dr. Jones.", "Thanks, Doctor Jones."],
    ["Mr. and Mrs. Smith", "Mister and Missus Smith"],
    ["Mt. Everest", "Mount Everest"],
    ["e.g. this", "for example this"],
    ["Use e.g.", "Use for example."],
    ["i.e. that", "that is that"],
    ["apples, pears, etc. Then more.", "apples, pears, et cetera. Then more."],
    ["Apple Inc. is big", "Apple Incorporated is big"],
    ["No. 5", "number five"],
    ["Vol. 3", "volume three"],
    ["approx. 5", "approximately five"],
    ["The U.S. Army", "The U S Army"],
    ["cats vs. dogs", "cats versus dogs"],
  ],
  addresses: [
    ["https://example.com/a", "example dot com slash a"],
    ["See https://example.com/a.", "See example dot com slash a."],
    ["Mail a.b@c.org now.", "Mail a dot b at c dot org now."],
    ["www.google.com", "google dot com"],
    ["Go to example.org/path today", "Go to example dot org slash path today"],
    ["https://x.io/q?a=1#top", "x dot io slash q"],
  ],
  units: [
    ["5 km", "five kilometers"],
    ["1 km", "one kilometer"],
    ["20°C", "twenty degrees Celsius"],
    ["-5 °C", "minus five degrees Celsius"],
    ["90°", "ninety degrees"],
    ["2 kg of rice", "two kilograms of rice"],
    ["I'm 6 ft. tall", "I'm six feet tall"],
    ["The wall is 5 m.", "The wall is five meters."],
    ["60 mph", "sixty miles per hour"],
    ["16 GB", "sixteen gigabytes"],
    [".5 ml", "point five milliliters"],
  ],
  symbols: [
    ["A & B", "A and B"],
    ["x = 5", "x equals five"],
    ["x^2", "x to the power of two"],
    ["5 * 3", "five times three"],
    ["10x faster", "ten times faster"],
    ["3 x 4", "three times four"],
    ["3x4", "three times four"],
    // Dimensions: lengths and resolutions are read "by".
    ["3 x 4 m", "three by four meters"],
    ["3m x 4m", "three meters by four meters"],
    ["2 x 4 x 8 ft", "two by four by eight feet"],
    ["1920x1080", "one thousand nine hundred twenty by one thousand eighty"],
    ["2 x 400 g", "two times four hundred grams"],
    ["#1", "number one"],
    ["C# code", "C sharp code"],
    ["ok — fine", "ok, fine"],
    ["and/or", "and or"],
    ["§ 5", "section five"],
  ],
  // A sign is read before a quantity whatever the quantity becomes (money, percent, unit, time).
  signs: [
    ["~5 apples", "about five apples"],
    ["~5 km", "about five kilometers"],
    ["~ 5 km", "about five kilometers"],
    ["~50%", "about fifty percent"],
    ["~$5", "about five dollars"],
    ["~€5", "about five euros"],
    ["~£2.50", "about two pounds and fifty pence"],
    ["~¥500", "about five hundred yen"],
    ["~₹100", "about one hundred rupees"],
    ["~3:45 pm", "about three forty-five PM"],
    ["~2024-03-01", "about March first, twenty twenty-four"],
    ["~.5 ml", "about point five milliliters"],
    ["+5", "plus five"],
    ["+3.2%", "plus three point two percent"],
    ["+5 km", "plus five kilometers"],
    ["+$5", "plus five dollars"],
    ["+44 20", "plus forty-four twenty"],
    // "+" between words and numbers, a phone number, and "~" before a word are as before.
    ["a+b", "a plus b"],
    ["1+1=2", "one plus one equals two"],
    ["UTC+3", "UTC plus three"],
    ["C++ code", "C++ code"],
    ["Call +1 555-123-4567.", "Call plus one, five five five, one two three, four five six seven."],
    ["~/path", "~/path"],
  ],
  markdown: [
    ["**bold**", "bold"],
    ["Some *emphasis* here", "Some emphasis here"],
    ["__strong__ and _it_", "strong and it"],
    ["~~gone~~", "gone"],
    ["# Heading", "Heading"],
    ["## Step 2", "Step two"],
    ["- item", "item"],
    ["* item", "item"],
    // A list number is followed by a colon: espeak-ng pauses there whatever the case of the next
    // word (after "one." it would not before a lowercase word), and no sentence ends after it.
    ["1. first", "one: first"],
    ["1. First step", "one: First step"],
    ["2) Buy milk.", "two: Buy milk."],
    ["  3. Bake", "three: Bake"],
    ["Steps:\n1. Mix\n2. Bake", "Steps: one: Mix. two: Bake"],
    ["10. Last one", "ten: Last one"],
    ["Step 1. Then more.", "Step one. Then more."],
    ["2024. It was a year.", "two thousand twenty-four. It was a year."],
    ["> quoted", "quoted"],
    ["`code`", "code"],
    ["Run `deno test` now", "Run deno test now"],
    ["[link](http://x)", "link"],
    ["![a cat](cat.png)", "a cat"],
    ["| a | b |", "a, b"],
    ["---", ""],
    ["**Note:** read", "Note: read"],
    // Half of a pair, as a segment may hold.
    ["**Note", "Note"],
    ["the end.**", "the end."],
    ["snake_case name", "snake case name"],
    ["Title\nNext line", "Title. Next line"],
  ],
  emoji: [
    ["👍", ""],
    ["Great 👍!", "Great!"],
    ["I ❤️ you", "I you"],
    ["🇺🇸 flag", "flag"],
    ["👨‍👩‍👧 family", "family"],
    ["Wave 👋🏽 hi", "Wave hi"],
    ["Press 1️⃣", "Press one"],
    ["Wow‼️", "Wow!!"],
  ],
  characters: [
    ["a\uD800b", "ab"],
    ["x\uDC00", "x"],
    ["a\u0007b", "ab"],
    ["zero\u200Bwidth", "zerowidth"],
    ["soft\u00ADhyphen", "softhyphen"],
    ["\uFEFFbom", "bom"],
    ["\u202Eright", "right"],
    ["bad\uFFFDbyte", "badbyte"],
    ["e\u0301t\u00E9", "\u00E9t\u00E9"],
    ["a\tb\r\nc", "a b. c"],
    ["Hello\u00A0world", "Hello world"],
    // Zero-width non-joiner and joiner: kept between letters (marks included), else removed.
    [
      "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",
      "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",
    ],
    ["\u0915\u094D\u200D\u0937", "\u0915\u094D\u200D\u0937"],
    ["\u0915\u094D\u200C\u0937", "\u0915\u094D\u200C\u0937"],
    ["\u200Dword\u200C", "word"],
    // Inside a Latin (or Greek, Cyrillic) word they only split it for espeak-ng: removed.
    ["co\u200Dop", "coop"],
    ["don\u200Ct", "dont"],
    ["\u043C\u200D\u0438\u0440", "\u043C\u0438\u0440"],
    ["a\u200C b", "a b"],
    ["a\u{1F468}\u200D\u{1F469}\u200D\u{1F467}b", "a b"],
  ],
};

for (const [name, table] of Object.entries(ENGLISH)) {
  Deno.test(`normalizeText (en): ${name}`, () => checkTable(table));
}

/** Text that needs no change. */
const UNCHANGED = [
  "Hello, world.",
  "The cat sat on the mat.",
  'He said "hi" (quietly).',
  "It's fine, isn't it?",
  "Well... maybe!",
  "What?!",
  "Café, naïve, Ünïcödé.",
  "May I help?",
  "A well-known T-shirt.",
  "file.txt and node.js",
  "Привет, мир.",
  "日本語のテキスト。",
];

Deno.test("normalizeText leaves text that needs no change as it is", () => {
  for (const text of UNCHANGED) {
    assert.equal(normalizeText(text), text, `input ${JSON.stringify(text)}`);
  }
});

Deno.test("normalizeText returns '' when nothing speakable is left", () => {
  for (const text of ["", "   ", "-", "...", "😀😀", "**", "\u200B", "---"]) {
    assert.equal(normalizeText(text), "", `input ${JSON.stringify(text)}`);
  }
});

Deno.test("normalizeText is deterministic and stable on its own output", () => {
  for (const [written] of Object.values(ENGLISH).flat()) {
    const once = normalizeText(written);
    assert.equal(normalizeText(written), once, `input ${JSON.stringify(written)}`);
    assert.equal(normalizeText(once), once, `output ${JSON.stringify(once)}`);
  }
});

Deno.test("normalizationRules picks a table by base language, also for espeak voice names", () => {
  for (const tag of ["en", "EN", "en-US", "en_gb", "en-us+f3", "gmw/en-US"]) {
    assert.equal(normalizationRules(tag), normalizationRules("en"), tag);
  }
  assert.notEqual(normalizationRules("en"), undefined);
  for (const tag of ["de", "fr-FR", "xx", ""]) {
    assert.equal(normalizationRules(tag), undefined, tag);
  }
});

Deno.test("normalizeText: other languages get the language-independent clean-up only", () => {
  checkTable([
    ["Es kostet 5 Euro.", "Es kostet 5 Euro."],
    ["**Wichtig:** 3,5 % 👍", "Wichtig: 3,5 %"],
    ["Dr. Müller\u200B wohnt hier.", "Dr. Müller wohnt hier."],
    ["# Titel", "Titel"],
    [".5", ".5"],
  ], "de");
  checkTable([["Il est 3:45 🙂", "Il est 3:45"]], "fr-FR");
});

/** Writes `chunks` to `stream` and reads everything it gives. */
async function runStream(
  stream: TransformStream<string, string>,
  chunks: readonly string[],
): Promise<string[]> {
  const out: string[] = [];
  const reading = (async () => {
    for await (const item of stream.readable) out.push(item);
  })();
  const writer = stream.writable.getWriter();
  for (const chunk of chunks) await writer.write(chunk);
  await writer.close();
  await reading;
  return out;
}

Deno.test("TextNormalizerStream normalises each segment and drops empty ones", async () => {
  const out = await runStream(new TextNormalizerStream(), [
    "**Step 1:** pay $3.50.",
    "👍",
    "---",
    "Meet Dr. Smith at 3:45 pm.",
  ]);
  assert.deepEqual(out, [
    "Step one: pay three dollars and fifty cents.",
    "Meet Doctor Smith at three forty-five PM.",
  ]);
});

Deno.test("TextNormalizerStream uses its language", async () => {
  assert.deepEqual(await runStream(new TextNormalizerStream("de"), ["Ich bin 5 Jahre alt."]), [
    "Ich bin 5 Jahre alt.",
  ]);
  assert.deepEqual(await runStream(new TextNormalizerStream("en-GB"), ["I am 5."]), [
    "I am five.",
  ]);
});

/** Streams `text` in token-sized chunks through a segmenter with `options` and the normaliser. */
async function segmentAndNormalize(
  text: string,
  options: Partial<SegmenterOptions> = {},
): Promise<string[]> {
  const segmented = new SentenceSegmenterStream(options);
  const normalizer = new TextNormalizerStream("en");
  const out: string[] = [];
  const reading = (async () => {
    for await (const item of segmented.readable.pipeThrough(normalizer)) out.push(item);
  })();
  const writer = segmented.writable.getWriter();
  for (const chunk of text.match(/\S*\s*/g) ?? []) await writer.write(chunk);
  await writer.close();
  await reading;
  return out;
}

Deno.test("segment -> normalise: a numbered list item is one segment, its number not alone", async () => {
  // The default options: the first segment may end early, at a clause end.
  const out = await segmentAndNormalize(
    "1. Preheat the oven, then grease a tin.\n2. mix the flour and eggs.\n3) Bake for 20 min.",
  );
  assert.deepEqual(out, [
    "one: Preheat the oven",
    "then grease a tin.",
    "two: mix the flour and eggs.",
    "three: Bake for twenty minutes.",
  ]);
});

Deno.test("segment -> normalise: abbreviations need no context from other segments", async () => {
  const text = "Dr. Smith lives on Elm St. He was born in 1984. It costs $3.50, e.g. today. " +
    "We met at 5 p.m. The end!";
  const out = await segmentAndNormalize(text, { fastFirstSegment: false });
  assert.equal(
    out.join(" "),
    "Doctor Smith lives on Elm Street. He was born in nineteen eighty-four. " +
      "It costs three dollars and fifty cents, for example today. We met at five PM. The end!",
  );
});
