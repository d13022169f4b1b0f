import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';

/**
 * jieba with its general dictionary, read from disk when called. Not through
 * `@node-rs/jieba/dict.js`: importing that reads the dictionary and the IDF table (11 MB) into
 * buffers kept for the life of the process, even by a server that never segments a word.
 */
export function loadJieba(): Jieba {
  const path = createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt');
  return Jieba.withDict(readFileSync(path));
}
