/**
 * Trimming a set of characters from the ends of a string, by index: what `/[…]+$/` does, without
 * the regex engine trying the run from each of its characters (quadratic on a long run that does
 * not reach the end, as recheck finds in test/tools/regex-safety.test.ts).
 */

/** `value` without the characters of `chars` at its end. */
export function trimEnd(value: string, chars: string): string {
  let end = value.length;
  while (end > 0 && chars.includes(value[end - 1] as string)) end--;
  return value.slice(0, end);
}

/** `value` without the characters of `chars` at either end. */
export function trimBoth(value: string, chars: string): string {
  let start = 0;
  while (start < value.length && chars.includes(value[start] as string)) start++;
  return trimEnd(value.slice(start), chars);
}
