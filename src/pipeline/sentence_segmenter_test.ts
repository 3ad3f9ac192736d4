import assert from "node:assert/strict";
import { seededRandom } from "../../tests/support/seeded_random.ts";
import {
  type SegmenterOptions,
  SentenceSegmenter,
  SentenceSegmenterStream,
} from "./sentence_segmenter.ts";

/** Segments of `text` pushed in one chunk, then flushed. */
function segmentWhole(text: string, options: Partial<SegmenterOptions> = {}): string[] {
  const segmenter = new SentenceSegmenter(options);
  return [...segmenter.push(text), ...segmenter.flush()];
}

/** A text and the segments it should give; `options` default to the table's. */
interface SegmentationCase {
  name: string;
  text: string;
  want: string[];
  options?: Partial<SegmenterOptions>;
}

/** One test step per case: `segmentWhole(text)` gives `want`. */
async function stepThrough(
  t: Deno.TestContext,
  table: readonly SegmentationCase[],
  options: Partial<SegmenterOptions> = {},
): Promise<void> {
  for (const { name, text, want, options: own } of table) {
    await t.step(name, () => assert.deepEqual(segmentWhole(text, own ?? options), want));
  }
}

/** Segments of `text` pushed in the given chunks, then flushed. */
function segmentChunks(chunks: readonly string[], options: Partial<SegmenterOptions>): string[] {
  const segmenter = new SentenceSegmenter(options);
  const out: string[] = [];
  for (const chunk of chunks) out.push(...segmenter.push(chunk));
  out.push(...segmenter.flush());
  return out;
}

/** Cuts `text` into chunks of 1..12 characters, anywhere (inside words, numbers, punctuation). */
function randomChunks(text: string, random: () => number): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < text.length;) {
    const size = 1 + Math.floor(random() * 12);
    chunks.push(text.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/** Cuts `text` into chunks of 1..3 characters: most boundaries fall inside words. */
function tinyChunks(text: string, random: () => number): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < text.length;) {
    const size = 1 + Math.floor(random() * 3);
    chunks.push(text.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/**
 * Cuts `text` the way an LLM streams it: tokens carry their leading space (" there"), punctuation
 * is often a token of its own (",", "."), and words and numbers are split into pieces ("Hel" "lo",
 * "3" "." "5"); neighbouring tokens are sometimes merged into one network chunk.
 */
function tokenChunks(text: string, random: () => number): string[] {
  const tokens: string[] = [];
  for (const [token] of text.matchAll(/\s*[\p{L}\p{N}]+|\s*[^\s\p{L}\p{N}]|\s+/gu)) {
    let rest = token;
    while (rest.length > 4 && random() < 0.5) {
      const cut = 1 + Math.floor(random() * (rest.length - 1));
      tokens.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    tokens.push(rest);
  }
  const chunks: string[] = [];
  for (const token of tokens) {
    if (chunks.length > 0 && random() < 0.2) chunks[chunks.length - 1] += token;
    else chunks.push(token);
  }
  assert.equal(chunks.join(""), text);
  return chunks;
}

/** Han, kana and CJK punctuation: text written without spaces, which may be cut between them. */
const CJK = /[\p{scx=Han}\p{scx=Hira}\p{scx=Kana}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]/u;

/**
 * Asserts that the segments are the words of `text`, in order, none lost or doubled, and that
 * every segment ends where `text` has whitespace (or an em dash), or next to a CJK character:
 * never inside a (Latin) word or number.
 */
function assertWholeWords(text: string, segments: readonly string[]): void {
  let at = 0;
  for (const segment of segments) {
    for (const char of segment) {
      if (/\s/.test(char)) continue;
      while (at < text.length && /\s/.test(text[at])) at++;
      assert.equal(text[at], char, `segment ${JSON.stringify(segment)} does not follow the text`);
      at++;
    }
    const endsAtBreak = at === text.length || /\s/.test(text[at]) || segment.endsWith("—") ||
      CJK.test(text[at - 1]) || CJK.test(text[at]);
    assert.ok(endsAtBreak, `segment ${JSON.stringify(segment)} ends inside a word`);
  }
  assert.equal(text.slice(at).trim(), "", "text left over");
}

const noSpace = (text: string) => text.replace(/\s+/g, "");

const OFF = { fastFirstSegment: false };

Deno.test("SentenceSegmenter: sentence boundaries", async (t) => {
  const table: SegmentationCase[] = [
    {
      name: "terminators, runs and closing quotes",
      text: 'Hello there. Are you sure?! "Yes." (Really!) Wait... What? Fine…  Done',
      want: [
        "Hello there.",
        "Are you sure?!",
        '"Yes."',
        "(Really!)",
        "Wait...",
        "What?",
        "Fine…",
        "Done",
      ],
    },
    {
      name: "decimals, versions and money are not boundaries",
      text: "Pi is 3.14 and v1.2.3 costs $3.50 today. Next one.",
      want: ["Pi is 3.14 and v1.2.3 costs $3.50 today.", "Next one."],
    },
    {
      name: "abbreviations from the table",
      text:
        "Mr. Smith and Mrs. Jones met Dr. Brown on St. Patrick's day. They ate fruit, e.g. apples, i.e. red ones, vs. pears. The U.S. Army came.",
      want: [
        "Mr. Smith and Mrs. Jones met Dr. Brown on St. Patrick's day.",
        "They ate fruit, e.g. apples, i.e. red ones, vs. pears.",
        "The U.S. Army came.",
      ],
    },
    {
      name: "abbreviations that may end a sentence",
      text:
        "Bring pens, paper, etc. and a bag. Bring pens, paper, etc. Then leave at 5 p.m. today. Or at 6 p.m. Fine.",
      want: [
        "Bring pens, paper, etc. and a bag.",
        "Bring pens, paper, etc.",
        "Then leave at 5 p.m. today.",
        "Or at 6 p.m.",
        "Fine.",
      ],
    },
    {
      name: "initials",
      text: "J. R. R. Tolkien wrote it. So did J.K. Rowling.",
      want: ["J. R. R. Tolkien wrote it.", "So did J.K. Rowling."],
    },
    {
      name: "ellipsis followed by lowercase continues the sentence",
      text: "Well... maybe not. I think… yes. Hmm... No!",
      want: ["Well... maybe not.", "I think… yes.", "Hmm...", "No!"],
    },
    {
      name: "quoted speech followed by lowercase continues",
      text: '"Stop!" he said. "Why?" She left.',
      want: ['"Stop!" he said.', '"Why?"', "She left."],
    },
    {
      name: "URLs and e-mail addresses",
      text:
        "See https://example.com/a.b?x=1. Mail me at jane.doe@mail.example.org! Or visit www.test.io.",
      want: [
        "See https://example.com/a.b?x=1.",
        "Mail me at jane.doe@mail.example.org!",
        "Or visit www.test.io.",
      ],
    },
    {
      name: "numbered lists, bullets and paragraphs",
      text: "Steps:\n1. Buy milk. Then pay.\n2. Go home\n\n- Rest a bit\nDone.\n3.\nEnd",
      want: [
        "Steps:",
        "1. Buy milk.",
        "Then pay.",
        "2. Go home",
        "- Rest a bit",
        "Done.",
        "3.",
        "End",
      ],
    },
    {
      name: "a line that goes on in lowercase is a wrapped sentence",
      text: "This line is\nwrapped here. Next\nLine.\r\nAnd a CRLF\r\nline.\n\nnew paragraph",
      want: ["This line is wrapped here.", "Next", "Line.", "And a CRLF line.", "new paragraph"],
    },
    {
      name: "a number ending a sentence mid-line is a boundary",
      text: "I counted to 3. Then I stopped.",
      want: ["I counted to 3.", "Then I stopped."],
    },
    {
      name: "numbering abbreviation before a digit",
      text: "See No. 5 in the list. I said no. Then left. It ships Jan. 5, 2025, or in Feb. Fine.",
      want: [
        "See No. 5 in the list.",
        "I said no.",
        "Then left.",
        "It ships Jan. 5, 2025, or in Feb.",
        "Fine.",
      ],
    },
    {
      name: "whitespace is collapsed and trimmed",
      text: "  Lots   of\tspace  here.   And\u00a0more. ",
      want: ["Lots of space here.", "And more."],
    },
    {
      name: "pure punctuation is never emitted on its own",
      text: "First. ... Second.\n---\n***\n\n. Third.",
      want: ["First.", "... Second.", ". Third."],
    },
    {
      name: "no terminator at all",
      text: "just some words without an end",
      want: ["just some words without an end"],
    },
    { name: "empty and whitespace-only", text: " \n\t \n", want: [] },
  ];
  await stepThrough(t, table, OFF);
});

Deno.test("SentenceSegmenter: a terminator at the end of the text waits for what follows", () => {
  const segmenter = new SentenceSegmenter(OFF);
  assert.deepEqual(segmenter.push("It costs 3."), []);
  assert.deepEqual(segmenter.push("5 dollars at example."), []);
  assert.deepEqual(segmenter.push("com today."), []);
  // Whitespace confirms an ordinary sentence end.
  assert.deepEqual(segmenter.push(" "), ["It costs 3.5 dollars at example.com today."]);
  assert.deepEqual(segmenter.push("Wait..."), []);
  // An ellipsis waits for the next word: lowercase continues the sentence.
  assert.deepEqual(segmenter.push(" "), []);
  assert.deepEqual(segmenter.push("what? "), ["Wait... what?"]);
  assert.deepEqual(segmenter.push("Dr. "), []);
  assert.deepEqual(segmenter.push("Who"), []);
  assert.deepEqual(segmenter.flush(), ["Dr. Who"]);
});

Deno.test("SentenceSegmenter: the fast path emits the first clause before the sentence ends", () => {
  const segmenter = new SentenceSegmenter();
  assert.deepEqual(segmenter.push("The weather today"), []);
  assert.deepEqual(segmenter.push(" is sunny,"), []);
  // The comma is confirmed by the whitespace after it, long before the sentence ends.
  assert.deepEqual(segmenter.push(" "), ["The weather today is sunny,"]);
  // Later segments are whole sentences, commas or not.
  assert.deepEqual(segmenter.push("with highs of 75, and a light breeze from the west. Later, "), [
    "with highs of 75, and a light breeze from the west.",
  ]);
  assert.deepEqual(segmenter.flush(), ["Later,"]);
  // flush() starts a new utterance: the fast path applies again.
  assert.deepEqual(segmenter.push("Sure thing, I can help you with that, just a moment. "), [
    "Sure thing, I can help you with that,",
    "just a moment.",
  ]);
  assert.deepEqual(segmenter.flush(), []);
});

Deno.test("SentenceSegmenter: fast-path clause boundaries", async (t) => {
  const table: SegmentationCase[] = [
    {
      name: "too few words before the comma",
      text: "Yes, of course, I can help with that today. Okay.",
      want: ["Yes, of course, I can help with that today.", "Okay."],
    },
    {
      name: "semicolon",
      text: "I looked everywhere for it; it was gone. Sad.",
      want: ["I looked everywhere for it;", "it was gone.", "Sad."],
    },
    {
      name: "colon",
      text: "Here is what you need: milk, eggs and bread.",
      want: ["Here is what you need:", "milk, eggs and bread."],
    },
    {
      name: "spaced dash",
      text: "I went home early - it was late. Then I slept.",
      want: ["I went home early -", "it was late.", "Then I slept."],
    },
    {
      name: "unspaced em dash",
      text: "This is really quite great—really great, I mean.",
      want: ["This is really quite great—", "really great, I mean."],
    },
    {
      name: "a short first sentence is the first segment",
      text: "Sure! Let me check that for you, one moment.",
      want: ["Sure!", "Let me check that for you, one moment."],
    },
    {
      name: "thousands separators are not clause boundaries",
      text: "There were about 1,234,567 people there at noon.",
      want: ["There were about 1,234,567 people there at noon."],
    },
    {
      name: "firstSegmentMinWords is honoured",
      text: "Well then, let us begin.",
      options: { firstSegmentMinWords: 2 },
      want: ["Well then,", "let us begin."],
    },
    {
      name: "fast path off",
      text: "The weather today is sunny, with highs of 75.",
      options: { fastFirstSegment: false },
      want: ["The weather today is sunny, with highs of 75."],
    },
  ];
  await stepThrough(t, table);
});

Deno.test("SentenceSegmenter: fast path by word count when no clause end comes", async (t) => {
  const table: SegmentationCase[] = [
    {
      name: "the default threshold, then a word that does not lean on the next",
      text:
        "I think the best way to handle this problem is to start over and try again. Then rest.",
      // "is" is the 10th word and "to" the 11th: both lean on the next word, "start" does not.
      want: [
        "I think the best way to handle this problem is to start",
        "over and try again.",
        "Then rest.",
      ],
    },
    {
      name: "firstSegmentMaxWords is honoured",
      text: "Go to the old mill by the river now. Then rest.",
      options: { firstSegmentMinWords: 1, firstSegmentMaxWords: 3 },
      want: ["Go to the old", "mill by the river now.", "Then rest."],
    },
    {
      name: "an abbreviation is never the last word",
      text: "Please call Dr. Smith tomorrow morning, e.g. early.",
      options: { firstSegmentMinWords: 1, firstSegmentMaxWords: 3 },
      want: ["Please call Dr. Smith", "tomorrow morning, e.g. early."],
    },
    {
      name: "a decimal number is one word",
      text: "It was 3.5 degrees outside today.",
      options: { firstSegmentMinWords: 1, firstSegmentMaxWords: 3 },
      want: ["It was 3.5", "degrees outside today."],
    },
    {
      name: "a clause end before the threshold wins",
      text: "Well, the first thing you should know, honestly, is this. Next.",
      want: ["Well, the first thing you should know,", "honestly, is this.", "Next."],
    },
    {
      name: "a first sentence shorter than the threshold is whole",
      text: "Here it is right now. Then the next one comes along without any comma at all.",
      options: { firstSegmentMaxWords: 6 },
      want: ["Here it is right now.", "Then the next one comes along without any comma at all."],
    },
    {
      name: "only the first segment",
      text: "One two three four five. Six seven eight nine ten.",
      options: { firstSegmentMinWords: 1, firstSegmentMaxWords: 3 },
      want: ["One two three", "four five.", "Six seven eight nine ten."],
    },
    {
      name: "a threshold below firstSegmentMinWords counts as firstSegmentMinWords",
      text: "One two three four five six seven.",
      options: { firstSegmentMinWords: 5, firstSegmentMaxWords: 2 },
      want: ["One two three four five", "six seven."],
    },
    {
      name: "fast path off",
      text: "One two three four five six seven eight nine ten eleven twelve thirteen.",
      options: { fastFirstSegment: false, firstSegmentMinWords: 1, firstSegmentMaxWords: 3 },
      want: ["One two three four five six seven eight nine ten eleven twelve thirteen."],
    },
  ];
  await stepThrough(t, table);
});

Deno.test("SentenceSegmenter: long sentences split at clauses, else at words, never mid-word", () => {
  const words = Array.from({ length: 120 }, (_, i) => `word${i}x${"y".repeat(i % 7)}`);
  const run = words.join(" ") + ".";
  const options = { fastFirstSegment: false, maxSegmentChars: 60, maxSegmentWords: 1000 };
  const segments = segmentWhole(run, options);
  assert.ok(segments.length > 1);
  for (const segment of segments) {
    assert.ok(segment.length <= 60, `too long: ${segment}`);
    for (const word of segment.replace(/\.$/, "").split(" ")) {
      assert.ok(words.includes(word), `cut mid-word: ${word}`);
    }
  }
  assert.equal(segments.join(" "), run);

  // With commas, the split is at the comma nearest the limit.
  const clauses = "alpha beta gamma delta, epsilon zeta eta theta iota, kappa lambda mu nu xi, " +
    "omicron pi rho sigma tau upsilon phi chi psi omega.";
  assert.deepEqual(segmentWhole(clauses, { ...options, maxSegmentChars: 70 }), [
    "alpha beta gamma delta, epsilon zeta eta theta iota,",
    "kappa lambda mu nu xi,",
    "omicron pi rho sigma tau upsilon phi chi psi omega.",
  ]);

  // The word limit works like the character limit.
  const many = Array.from({ length: 25 }, (_, i) => `w${i}`).join(" ");
  const byWords = segmentWhole(many, { fastFirstSegment: false, maxSegmentWords: 10 });
  assert.deepEqual(byWords.map((s) => s.split(" ").length), [10, 10, 5]);

  // A single word longer than the limit is emitted whole.
  const long = "x".repeat(100);
  assert.deepEqual(segmentWhole(`short ${long} end`, options), ["short", long, "end"]);
});

Deno.test("SentenceSegmenter: CJK text, written without spaces", async (t) => {
  const table: SegmentationCase[] = [
    {
      name: "full-width terminators end sentences",
      text: "今天天气很好。我们去公园散步吧！你觉得怎么样？",
      want: ["今天天气很好。", "我们去公园散步吧！", "你觉得怎么样？"],
    },
    {
      name: "closing quotes and brackets stay with their sentence",
      text: "「こんにちは。」お元気ですか？他说：“我走了。”然后离开了。（はい！）次。",
      want: [
        "「こんにちは。」",
        "お元気ですか？",
        "他说：“我走了。”",
        "然后离开了。",
        "（はい！）",
        "次。",
      ],
    },
    {
      name: "mixed with Latin words and numbers",
      text: "我用Deno写代码。It works! 第3.5章很长，Dr. 王说好。OK",
      want: ["我用Deno写代码。", "It works!", "第3.5章很长，Dr. 王说好。", "OK"],
    },
    {
      name: "the fast path ends the first segment at a clause mark",
      text: "今天的天气非常好，我们一起去公园散步吧。然后，回家。",
      options: {},
      want: ["今天的天气非常好，", "我们一起去公园散步吧。", "然后，回家。"],
    },
    {
      name: "a CJK character counts as half a word for firstSegmentMinWords",
      text: "今天天气很好，我们去公园散步吧。",
      options: {},
      want: ["今天天气很好，我们去公园散步吧。"],
    },
    {
      name: "the fast path by word count cuts between characters",
      text: "一二三四五六七八九十一二三四五六七八九十一二三。四五。",
      options: { firstSegmentMinWords: 1, firstSegmentMaxWords: 4 },
      want: ["一二三四五六七八", "九十一二三四五六七八九十一二三。", "四五。"],
    },
    {
      name: "ideographic comma, semicolon and colon are clause ends",
      text: "苹果、香蕉和橙子都很好吃；我最喜欢的是：西瓜。",
      options: { firstSegmentMinWords: 2 },
      want: ["苹果、香蕉和橙子都很好吃；", "我最喜欢的是：西瓜。"],
    },
  ];
  await stepThrough(t, table, OFF);
});

Deno.test("SentenceSegmenter: a CJK sentence is emitted once the next character has come", () => {
  // No whitespace after "。": the next character, not a closing bracket, completes the sentence.
  assert.deepEqual(
    replay(["今天", "天气很好", "。", "我们", "去公园", "」", "吧！", "你呢"], OFF),
    [
      [3, "今天天气很好。"],
      [7, "我们去公园」吧！"],
      [8, "你呢"],
    ],
  );
  // A closing bracket after the terminator waits for the character after it.
  assert.deepEqual(replay(["「はい", "。", "」", "次"], OFF), [[3, "「はい。」"], [4, "次"]]);
  // Streamed one character at a time, every sentence but the last comes before the end.
  const text = "今天天气很好。我们去公园散步吧！你觉得怎么样？".repeat(10);
  const seen = replay([...text]);
  assert.equal(seen.length, 30);
  assert.equal(seen.filter(([at]) => at < text.length).length, 29);
});

Deno.test("SentenceSegmenter: a long CJK run without punctuation is cut between characters", () => {
  const run = "这是一个没有任何标点符号的非常长的句子".repeat(20); // 380 characters
  // By characters.
  const byChars = segmentWhole(run, { ...OFF, maxSegmentChars: 50, maxSegmentWords: 1000 });
  assert.deepEqual(byChars.map((s) => s.length), [50, 50, 50, 50, 50, 50, 50, 30]);
  assert.equal(byChars.join(""), run);
  // By words: with the defaults, 30 words are 60 characters.
  const byWords = segmentWhole(run, OFF);
  assert.deepEqual(byWords.map((s) => s.length), [60, 60, 60, 60, 60, 60, 20]);
  // At the last clause mark far enough in, as for Latin text.
  const clauses = "一二三四五六七八九十，一二三四五六七八九十，一二三四五六七八九十。";
  assert.deepEqual(segmentWhole(clauses, { ...OFF, maxSegmentChars: 25 }), [
    "一二三四五六七八九十，一二三四五六七八九十，",
    "一二三四五六七八九十。",
  ]);
});

const PARAGRAPHS =
  `Hello there, my friend, I'm your assistant, and today we'll look at the weather, the news, and a
few other things. It's 3.5 degrees outside... brr. Dr. Jane A. Smith, Ph.D., said it would warm up by
2 p.m. Tomorrow, expect rain; the U.S. forecast says 60% chance. Visit https://weather.example.com/today?x=1.2
or e-mail forecasts@example.org for more, e.g. hourly data, i.e. the fine print.

Here is a list:
1. Buy 2.5 kg of apples (the red ones).
2. Call Mr. O'Brien at 555-1234 — he's expecting you.
3. Read "The Hobbit" by J. R. R. Tolkien... it's great!

"Wait," she said, "is that really all?" Yes?! That's all… for now. The total was $1,234.56, not $1,234.
This last sentence is deliberately very long and keeps going without any full stop for quite a while, with commas here and there, and words like antidisestablishmentarianism, so that the splitter has to cut it into clauses or at word boundaries before it reaches the end—which it eventually does
`;

Deno.test("SentenceSegmenter: any chunking gives the same segments, fast path on and off", () => {
  const variants: Partial<SegmenterOptions>[] = [
    { fastFirstSegment: false },
    { fastFirstSegment: true },
    { fastFirstSegment: true, firstSegmentMinWords: 2, maxSegmentChars: 80, maxSegmentWords: 12 },
  ];
  for (const options of variants) {
    const whole = segmentWhole(PARAGRAPHS, options);
    assert.ok(whole.length > 15, `too few segments: ${whole.length}`);
    // The fast path, when on, does fire in this text.
    assert.equal(whole[0].endsWith(","), options.fastFirstSegment);
    // Nothing lost, nothing doubled.
    assert.equal(noSpace(whole.join("")), noSpace(PARAGRAPHS));
    for (let seed = 1; seed <= 300; seed++) {
      const chunks = randomChunks(PARAGRAPHS, seededRandom(seed));
      assert.deepEqual(
        segmentChunks(chunks, options),
        whole,
        `seed ${seed}, options ${JSON.stringify(options)}`,
      );
    }
  }
  // One character at a time, the most extreme chunking.
  assert.deepEqual(segmentChunks([...PARAGRAPHS], {}), segmentWhole(PARAGRAPHS, {}));
});

/** Texts with the traps of streamed LLM output, for the chunking-invariance test. */
const STREAMED_TEXTS: Record<string, string> = {
  paragraphs: PARAGRAPHS,
  "chat answer": "Sure thing let me walk you through the steps to reset the router at home. " +
    "First, unplug it for 30 seconds... then plug it back in. The lights should blink (about " +
    "2.5 s each) — if they don't, call support at 1-800-555-0199, e.g. on weekdays, or see " +
    "Fig. 3 in the manual. Dr. Lee, the lead engineer at Acme Corp. in the U.K., says it works " +
    '99.9% of the time! Isn\'t that great?! "Absolutely," I said… and we moved on.\n\n' +
    "**Note:** prices are $4.99/mo. (approx.) as of Jan. 2024. Done",
  "numbers and abbreviations": "At 3.5 p.m. today, Mr. and Mrs. Smith paid $1,234.56 for " +
    "No. 7, i.e. the blue one. Version 2.0.1 ships Jan. 5. Call 555.123.4567 or e-mail " +
    "a.b@c.io. The U.S. team won 3-2... Wow. Pi is 3.14159. It is.\n1. First item.\n" +
    "2. Second item.\nq.e.d. etc. Fine... ok.",
  "separators inside numbers": "Roughly 1,234,567 people and 2,500 cars came by here, e.g. on " +
    "Sunday; the 3.5 km road had a 2:30 p.m. jam... fine. The ratio is 16:9, the score 3-2, " +
    "the time 12:45:10.5 and the price 1,000.00 today. Bye now.",
  unicode: "Café au lait costs €3.20 — naïve, isn't it? Zürich’s “old town” is lovely… " +
    "really.\r\nIt’s «très» bien!\u00a0Ça va?\n- bullet one\n- bullet two is longer than " +
    "the first one and goes on\n\n「こんにちは。」 お元気ですか？ はい！ The end",
  chinese: "今天天气很好，我们去公园散步吧！你觉得怎么样？他说：“我已经准备好了。”" +
    "然后我们一起出发了……路上看到了很多人、很多车；大约3.5公里以后，我们到了。" +
    "我用Deno写了一个TTS服务，它在2024年发布。It works well! 真的吗？当然。\n" +
    "这是一个没有任何标点符号的非常长的句子它一直写下去直到超过了分段的最大长度限制为止" +
    "我们必须在字与字之间把它切开才能尽快地把第一段音频发出去否则用户会等很久很久很久",
  japanese: "「こんにちは。」お元気ですか？はい、元気です！（笑）今日は東京で会議があります。" +
    "『吾輩は猫である』を読みました：面白かったです。ところで、Mr. Smithは3時に来ます。" +
    "ありがとうございました",
  "mixed CJK and Latin": "Hello, 世界! This is a test。这是测试。Dr. 王 said: “好的。” OK? " +
    "The price is ¥1,000，大约$7.5。Wait... 什么？Fine.\n\n第1. 项目：完成。2. 下一个",
  "run-on": Array.from(
    { length: 160 },
    (_, i) => `word${i}${i % 23 === 22 ? "," : ""}${i % 41 === 40 ? " and" : ""}`,
  ).join(" "),
};

Deno.test("SentenceSegmenter: many texts, 200 chunkings each, give the one-chunk segments", () => {
  const chunkers = [randomChunks, tinyChunks, tokenChunks];
  const variants: Partial<SegmenterOptions>[] = [
    { fastFirstSegment: false },
    {},
    { firstSegmentMinWords: 2, firstSegmentMaxWords: 3, maxSegmentChars: 60, maxSegmentWords: 12 },
  ];
  for (const [name, text] of Object.entries(STREAMED_TEXTS)) {
    for (const options of variants) {
      const label = `${name}, options ${JSON.stringify(options)}`;
      const whole = segmentWhole(text, options);
      assert.ok(whole.length >= 3, `${label}: too few segments`);
      assertWholeWords(text, whole);
      // One character at a time, the most extreme chunking.
      assert.deepEqual(segmentChunks([...text], options), whole, `${label}, 1-character chunks`);
      for (let seed = 1; seed <= 200; seed++) {
        const chunks = chunkers[seed % chunkers.length](text, seededRandom(seed));
        assert.deepEqual(segmentChunks(chunks, options), whole, `${label}, seed ${seed}`);
      }
    }
  }
});

Deno.test("SentenceSegmenter: the fast path fires in the chunking test texts", () => {
  const first = (name: string, options: Partial<SegmenterOptions> = {}) =>
    segmentWhole(STREAMED_TEXTS[name], options)[0];
  // By word count: no clause end in the first ten words.
  // (the 10th word, "to", leans on the next one).
  assert.equal(first("chat answer"), "Sure thing let me walk you through the steps to reset");
  assert.equal(
    first("chat answer", OFF),
    "Sure thing let me walk you through the steps to reset the router at home.",
  );
  // By clause: the first clause end after four words, or after five.
  assert.equal(first("numbers and abbreviations"), "At 3.5 p.m. today,");
  assert.equal(
    first("numbers and abbreviations", { firstSegmentMinWords: 5, firstSegmentMaxWords: 20 }),
    "At 3.5 p.m. today, Mr. and Mrs. Smith paid $1,234.56 for No. 7,",
  );
});

Deno.test("SentenceSegmenter: the fast path changes only the first segment", () => {
  const on = segmentWhole(PARAGRAPHS);
  const off = segmentWhole(PARAGRAPHS, OFF);
  assert.equal(on[0], "Hello there, my friend,");
  assert.equal(`${on[0]} ${on[1]}`, off[0]);
  assert.deepEqual(on.slice(2), off.slice(1));
});

Deno.test("SentenceSegmenter: segments are emitted as soon as they are complete", () => {
  // Replay token-like chunks and record after which chunk each segment appears.
  const tokens = [
    "Hel",
    "lo",
    " there",
    ".",
    " How",
    " are",
    " you",
    "?",
    " I",
    "'m",
    " fine",
    ".",
  ];
  const segmenter = new SentenceSegmenter();
  const seen: [number, string][] = [];
  tokens.forEach((token, i) => segmenter.push(token).forEach((s) => seen.push([i, s])));
  segmenter.flush().forEach((s) => seen.push([tokens.length, s]));
  assert.deepEqual(seen, [[4, "Hello there."], [8, "How are you?"], [12, "I'm fine."]]);
});

/** Pushes `tokens` one by one; returns each segment with the index of the push that emitted it. */
function replay(
  tokens: readonly string[],
  options: Partial<SegmenterOptions> = {},
): [number, string][] {
  const segmenter = new SentenceSegmenter(options);
  const seen: [number, string][] = [];
  tokens.forEach((token, i) => segmenter.push(token).forEach((s) => seen.push([i, s])));
  segmenter.flush().forEach((s) => seen.push([tokens.length, s]));
  return seen;
}

Deno.test("SentenceSegmenter: the first segment is emitted once its end is known", () => {
  // The clause fast path: the comma is a clause end once the whitespace after it has come.
  const clause = ["Hel", "lo", " there", " my", " friend", ",", " how", " are", " you", "?"];
  assert.deepEqual(replay(clause), [[6, "Hello there my friend,"], [10, "how are you?"]]);
  // A number split by the tokenizer: "3" "." "5" is one word, whatever the chunks.
  const number = ["It", "'s", " 3", ".", "5", " degrees", ",", " so", " wear", " a", " coat", "."];
  assert.deepEqual(replay(number, { firstSegmentMinWords: 3 }), [
    [7, "It's 3.5 degrees,"],
    [12, "so wear a coat."],
  ]);
  // The word-count fast path: "and" leans on the next word, "the grass" ends the first segment
  // once the space after "grass" has come.
  const words = [" The", " sky", " is", " blue", " and", " the", " grass", " is", " green", "."];
  assert.deepEqual(replay(words, { firstSegmentMinWords: 1, firstSegmentMaxWords: 5 }), [
    [7, "The sky is blue and the grass"],
    [10, "is green."],
  ]);
  // "Dr." is not a sentence end, and "e.g." neither; the sentence waits for its end.
  const abbreviations = ["Ask", " Dr", ".", " Smith", ",", " e", ".g", ".", " now", ".", " Ok"];
  assert.deepEqual(replay(abbreviations, { fastFirstSegment: false }), [
    [10, "Ask Dr. Smith, e.g. now."],
    [11, "Ok"],
  ]);
});

Deno.test("SentenceSegmenter: rejects bad options", () => {
  assert.throws(() => new SentenceSegmenter({ maxSegmentChars: 0 }), RangeError);
  assert.throws(() => new SentenceSegmenter({ firstSegmentMinWords: 0 }), RangeError);
  assert.throws(() => new SentenceSegmenter({ maxSegmentWords: Number.NaN }), RangeError);
  assert.throws(() => new SentenceSegmenter({ firstSegmentMaxWords: 0 }), /firstSegmentMaxWords/);
});

Deno.test("SentenceSegmenterStream: segments a stream of chunks and flushes at the end", async () => {
  const chunks = randomChunks(PARAGRAPHS, seededRandom(42));
  const segments = await Array.fromAsync(
    ReadableStream.from(chunks).pipeThrough(new SentenceSegmenterStream({ maxSegmentChars: 90 })),
  );
  assert.deepEqual(segments, segmentWhole(PARAGRAPHS, { maxSegmentChars: 90 }));
  assert.equal(segments.at(-1)?.endsWith("eventually does"), true);
});
