import { InvalidArgumentError } from 'commander';

/**
 * A commander parser for an option that takes a whole number from `min` to `max`: anything else
 * stops the command before it starts, with exit 2 and commander's message naming the option.
 */
export function wholeNumberOption(min: number, max = Number.MAX_SAFE_INTEGER, meaning = ''): (value: string) => number {
  const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`;
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number ${range}${meaning}; got "${value}"`);
    return n;
  };
}
