import { describe, expect, it } from 'vitest';
import { chunkSizeFor } from '../../src/batch/batch-stage.service.ts';

describe('items per chunk of a batch stage', () => {
  it('keeps the configured size for a large stage (a full run)', () => {
    expect(chunkSizeFor(450_000, 2000)).toBe(2000);
    expect(chunkSizeFor(16_000, 2000)).toBe(2000);
  });

  it('splits a small stage into 8 chunks, so it fills the workers rather than leave its last chunk alone', () => {
    expect(chunkSizeFor(15_999, 2000)).toBe(2000);
    expect(chunkSizeFor(10_000, 2000)).toBe(1250);
    expect(Math.ceil(10_000 / chunkSizeFor(10_000, 2000))).toBe(8);
    expect(chunkSizeFor(2001, 2000)).toBe(251);
  });

  it('never below 250 items a chunk, nor above the configured size', () => {
    expect(chunkSizeFor(2000, 2000)).toBe(250);
    expect(chunkSizeFor(1999, 2000)).toBe(250);
    expect(chunkSizeFor(100, 2000)).toBe(250);
    expect(chunkSizeFor(1500, 100)).toBe(100);
    expect(chunkSizeFor(0, 2000)).toBe(250);
  });
});
