import { describe, expect, it } from 'vitest';
import { imageFiles, imageMarkdown, insertAt } from './image-markdown.js';

describe('images in an article\'s Markdown', () => {
  it('writes ![alt](url) with the file\'s name as the text, and nothing that ends it early', () => {
    expect(imageMarkdown('Screenshot 1.png', '/help/attachments/a1/Screenshot%201.png')).toBe('![Screenshot 1](/help/attachments/a1/Screenshot%201.png)');
    expect(imageMarkdown('tray [open] (P500).jpeg', '/help/attachments/a2/tray%20[open]%20(P500).jpeg'))
      .toBe('![tray open (P500)](/help/attachments/a2/tray%20[open]%20%28P500%29.jpeg)');
    expect(imageMarkdown('.png', '/x')).toBe('![image](/x)');
  });

  it('inserts at the cursor, on a line of its own, and puts the cursor after it', () => {
    expect(insertAt('', 0, 0, '![a](/a)')).toEqual({ text: '![a](/a)', cursor: 8 });
    expect(insertAt('Open the tray.\nPull.', 15, 15, '![a](/a)')).toEqual({ text: 'Open the tray.\n![a](/a)\nPull.', cursor: 23 });
    // In the middle of a line; a selection is replaced.
    expect(insertAt('Open the tray now.', 9, 13, '![a](/a)')).toEqual({ text: 'Open the \n![a](/a)\n now.', cursor: 18 });
  });

  it('keeps only images from what was pasted or dropped', () => {
    const files = [new File(['x'], 'a.png', { type: 'image/png' }), new File(['x'], 'notes.txt', { type: 'text/plain' })];
    expect(imageFiles(files).map((f) => f.name)).toEqual(['a.png']);
    expect(imageFiles(null)).toEqual([]);
  });
});
