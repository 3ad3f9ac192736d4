import assert from "node:assert/strict";
import {
  englishCardinal,
  englishDate,
  englishDigits,
  englishFraction,
  englishOrdinal,
  englishPlural,
  englishShortYear,
  englishTime,
  englishYear,
} from "./numbers_en.ts";

/** Checks `read` against each `[input, expected]` row, naming the failing row. */
function checkTable<T>(read: (input: T) => string | undefined, rows: [T, string | undefined][]) {
  for (const [input, expected] of rows) {
    assert.equal(read(input), expected, `input ${JSON.stringify(input)}`);
  }
}

Deno.test("englishCardinal reads digit strings as cardinal words", () => {
  checkTable(englishCardinal, [
    ["0", "zero"],
    ["000", "zero"],
    ["7", "seven"],
    ["13", "thirteen"],
    ["20", "twenty"],
    ["42", "forty-two"],
    ["100", "one hundred"],
    ["101", "one hundred one"],
    ["999", "nine hundred ninety-nine"],
    ["1000", "one thousand"],
    ["1001", "one thousand one"],
    ["007", "seven"],
    ["1234567", "one million two hundred thirty-four thousand five hundred sixty-seven"],
    ["1000000000", "one billion"],
    ["2000000001", "two billion one"],
    // Beyond the named scales: digit by digit.
    ["1".repeat(40), Array(40).fill("one").join(" ")],
  ]);
});

Deno.test("englishOrdinal changes only the last word", () => {
  checkTable(englishOrdinal, [
    ["1", "first"],
    ["2", "second"],
    ["3", "third"],
    ["4", "fourth"],
    ["5", "fifth"],
    ["8", "eighth"],
    ["9", "ninth"],
    ["11", "eleventh"],
    ["12", "twelfth"],
    ["20", "twentieth"],
    ["23", "twenty-third"],
    ["101", "one hundred first"],
    ["1000", "one thousandth"],
  ]);
});

Deno.test("englishDigits reads each digit", () => {
  checkTable(englishDigits, [["007", "zero zero seven"], ["42", "four two"]]);
});

Deno.test("englishShortYear reads a two-digit year, with oh before a single digit", () => {
  checkTable(englishShortYear, [
    [24, "twenty-four"],
    [99, "ninety-nine"],
    [10, "ten"],
    [5, "oh five"],
    [0, "oh oh"],
  ]);
});

Deno.test("englishYear reads years in pairs, with oh, hundred and thousand forms", () => {
  checkTable(englishYear, [
    [1984, "nineteen eighty-four"],
    [2024, "twenty twenty-four"],
    [1905, "nineteen oh five"],
    [1900, "nineteen hundred"],
    [2000, "two thousand"],
    [2005, "two thousand five"],
    [1066, "ten sixty-six"],
    [1001, "one thousand one"],
    [500, "five hundred"],
    [10000, "ten thousand"],
  ]);
});

Deno.test("englishTime reads 12- and 24-hour clock times", () => {
  const rows: [Parameters<typeof englishTime>, string][] = [
    [[3, 45, undefined, "pm"], "three forty-five PM"],
    [[9, 5, undefined, undefined], "nine oh five"],
    [[7, 0, undefined, undefined], "seven o'clock"],
    [[7, 0, undefined, "am"], "seven AM"],
    [[0, 30, undefined, "am"], "twelve thirty AM"],
    [[18, 0, undefined, undefined], "eighteen hundred"],
    [[13, 30, undefined, undefined], "thirteen thirty"],
    [[12, 30, 15, undefined], "twelve thirty and fifteen seconds"],
    [[12, 30, 1, undefined], "twelve thirty and one second"],
  ];
  checkTable((args) => englishTime(...args), rows);
});

Deno.test("englishDate puts the month or the day first", () => {
  const rows: [Parameters<typeof englishDate>, string][] = [
    [[2024, 3, 1, false], "March first, twenty twenty-four"],
    [[2024, 3, 1, true], "the first of March, twenty twenty-four"],
    [[undefined, 12, 25, false], "December twenty-fifth"],
  ];
  checkTable((args) => englishDate(...args), rows);
});

Deno.test("englishFraction names proper fractions up to tenths only", () => {
  const rows: [[number, number], string | undefined][] = [
    [[1, 2], "one half"],
    [[1, 4], "one quarter"],
    [[3, 4], "three quarters"],
    [[2, 3], "two thirds"],
    [[1, 10], "one tenth"],
    [[5, 3], undefined],
    [[1, 11], undefined],
    [[0, 2], undefined],
  ];
  checkTable(([n, d]) => englishFraction(n, d), rows);
});

Deno.test("englishPlural makes the last number word plural", () => {
  checkTable(englishPlural, [
    ["nineteen ninety", "nineteen nineties"],
    ["eighty", "eighties"],
    ["six", "sixes"],
    ["two thousand", "two thousands"],
  ]);
});
