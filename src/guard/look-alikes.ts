/**
 * Folding of letters that look like Latin ones, so that text written to read as "Ignore
 * previous instructions" to a model is matched as such. It folds fullwidth and other
 * compatibility forms (NFKC), combining marks (`I` + U+0307), and Cyrillic and Greek
 * look-alikes (`Іgnore` with Cyrillic `І`). The look-alikes are a subset of Unicode's
 * confusables list (UTS #39): the letters that pass for ASCII in common fonts.
 */

/** Cyrillic and Greek letters and the Latin letters they pass for. */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  с: 'c',
  ԁ: 'd',
  е: 'e',
  һ: 'h',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  т: 't',
  у: 'y',
  ԝ: 'w',
  х: 'x',
  А: 'A',
  В: 'B',
  С: 'C',
  Е: 'E',
  Н: 'H',
  І: 'I',
  Ј: 'J',
  К: 'K',
  М: 'M',
  О: 'O',
  Р: 'P',
  Ѕ: 'S',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  // Greek
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  // Latin letters outside ASCII that NFKC keeps
  ı: 'i',
  ȷ: 'j',
};

const LOOK_ALIKE_LETTER = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'gu');
const COMBINING_MARK = /\p{M}/gu;

/**
 * Returns `text` in NFKC with combining marks removed and Cyrillic and Greek look-alikes
 * replaced by Latin letters. Only for matching: the result may not read as the original.
 */
export function foldLookAlikes(text: string): string {
  // Plain ASCII, most text, has nothing to fold.
  if (!/[^\u0020-\u007e\s]/.test(text)) {
    return text;
  }
  return text
    .normalize('NFKC')
    .normalize('NFD')
    .replace(COMBINING_MARK, '')
    .replace(LOOK_ALIKE_LETTER, (letter) => LOOK_ALIKES[letter] ?? letter);
}
