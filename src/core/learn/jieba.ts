import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';

/**
 * Words of device support (printers first: the help centres Kefu was built with) that jieba's
 * general dictionary splits or misses, as "word freq tag" lines.
 */
const SUPPORT_WORDS = [
  '卡纸', '夹纸', '缺纸', '进纸', '出纸', '搓纸', '进纸器', '纸盒', '纸盘', '出纸盘', '硒鼓', '墨盒', '墨水', '墨粉', '碳粉', '粉盒',
  '加墨', '打印头', '喷头', '清洗喷头', '定影器', '定影', '双面打印', '无线打印', '打印队列', '打印质量', '打印机', '喷墨打印机',
  '激光打印机', '一体机', '多功能一体机', '扫描仪', '复印', '传真', '驱动程序', '固件', '固件升级', '脱机', '重影', '条纹', '偏色',
  '缺色', '色带', '废墨', '废墨仓', '对齐', '校准', '配网', '无线直连', '耗材', '保修', '报修', '维修', '维修点', '序列号',
].map((word) => `${word} 50000 n`).join('\n');

let shared: Jieba | undefined;
/**
 * The thread's one jieba: its general dictionary and SUPPORT_WORDS, read from disk on first use.
 * One, because each instance holds its own copy of the dictionary (some 40 MB): the search
 * analyzer and the learned models' text features each had theirs. Not through
 * `@node-rs/jieba/dict.js`: importing that reads the dictionary and the IDF table (11 MB) into
 * buffers kept for the life of the process, even by a server that never segments a word.
 */
export function sharedJieba(): Jieba {
  if (!shared) {
    shared = Jieba.withDict(readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt')));
    shared.loadDict(Buffer.from(SUPPORT_WORDS));
  }
  return shared;
}
