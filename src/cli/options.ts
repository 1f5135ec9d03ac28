import { InvalidArgumentError } from 'commander';

/**
 * Returns a commander argument parser that accepts a whole number from `min` to `max` and
 * rejects anything else with the allowed range.
 */
export function integerOption(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value)) {
      throw new InvalidArgumentError(`"${raw}" is not a whole number; use ${min} to ${max}`);
    }
    if (value < min || value > max) {
      throw new InvalidArgumentError(`${raw} is out of range; use ${min} to ${max}`);
    }
    return value;
  };
}
