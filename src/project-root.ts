import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json, found by walking up from this file: this file runs as
 * src/project-root.ts (tests, tsx) and as dist/src/project-root.js (the built CLI), so a path
 * relative to import.meta.url would differ by one level between the two.
 */
function findProjectRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
  }
}

export const PROJECT_ROOT = findProjectRoot();

/** A file or folder shipped with the project (rules/, examples/, package.json). */
export const projectPath = (...parts: string[]): string => path.join(PROJECT_ROOT, ...parts);
