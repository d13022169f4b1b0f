import { describe, expect, it } from 'vitest';
import { checkAttachments, type AttachmentLimits } from './tickets-api.js';

const limits: AttachmentLimits = { maxBytes: 1000, maxFiles: 3, extensions: ['png', 'pdf', 'txt'] };
const file = (name: string, size = 10) => ({ name, size });

describe('the composer\'s check of chosen files (the server checks again)', () => {
  it('accepts allowed types up to the size limit, whatever the case of the extension', () => {
    const added = [file('a.png', 1000), file('B.PDF')];
    expect(checkAttachments([], added, limits)).toEqual({ accepted: added, problem: null });
  });

  it('keeps the good files and names the first refused one', () => {
    const result = checkAttachments([], [file('ok.txt'), file('setup.exe'), file('big.pdf', 1001), file('README')], limits);
    expect(result.accepted.map((f) => f.name)).toEqual(['ok.txt']);
    expect(result.problem).toEqual({ code: 'ATTACHMENT_TYPE_FORBIDDEN', filename: 'setup.exe' });
    expect(checkAttachments([], [file('big.pdf', 1001)], limits).problem).toEqual({ code: 'ATTACHMENT_TOO_LARGE', filename: 'big.pdf' });
    expect(checkAttachments([], [file('README')], limits).problem?.code).toBe('ATTACHMENT_TYPE_FORBIDDEN');
  });

  it('counts the files already chosen against the limit', () => {
    const result = checkAttachments([file('1.txt'), file('2.txt')], [file('3.txt'), file('4.txt')], limits);
    expect(result.accepted.map((f) => f.name)).toEqual(['3.txt']);
    expect(result.problem).toEqual({ code: 'ATTACHMENT_TOO_MANY', filename: '4.txt' });
  });

  it('lets everything through when the limits could not be loaded', () => {
    expect(checkAttachments([], [file('setup.exe', 10 ** 9)], null)).toEqual({ accepted: [file('setup.exe', 10 ** 9)], problem: null });
  });
});
