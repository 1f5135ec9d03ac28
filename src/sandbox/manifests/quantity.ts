/** Multipliers of the Kubernetes quantity suffixes (binary `Ki`…`Ei`, decimal `n`…`E`). */
const SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?(?:\d+(?:\.\d*)?|\.\d+))?$/;

/**
 * Parses a Kubernetes resource quantity (`500m`, `2`, `512Mi`, `1e9`) to a number: cores for
 * CPU, bytes for memory and storage.
 * @returns undefined when the text is not a quantity, or Infinity when it is too large for a
 *   double
 */
export function parseQuantity(value: string | number): number | undefined {
  if (typeof value === 'number') {
    return Number.isNaN(value) ? undefined : value;
  }
  const match = QUANTITY.exec(value.trim());
  if (match === null) {
    return undefined;
  }
  const number = Number(match[1]);
  const suffix = match[2] ?? '';
  const multiplier = SUFFIXES[suffix];
  if (multiplier !== undefined) {
    return number * multiplier;
  }
  // The only other suffix the pattern admits is a decimal exponent such as `e9`.
  return number * 10 ** Number(suffix.slice(1));
}
