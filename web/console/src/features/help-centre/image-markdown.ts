/**
 * The article editor's images as Markdown: pure functions, so the editor stays small and these are
 * tested without a browser.
 */

/** The image types an article takes (the API checks the bytes too): what the file picker offers. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** `![alt](url)`: the file's name without its extension as the alternative text, nothing in it that ends the Markdown early. */
export function imageMarkdown(filename: string, url: string): string {
  const alt = filename.replace(/\.[^.]*$/, '').replace(/[[\]\\]/g, ' ').replace(/\s+/g, ' ').trim() || 'image';
  return `![${alt}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20')})`;
}

/**
 * `snippet` in place of the selection `start`–`end` of `text`, on a line of its own when it lands
 * inside one; the cursor after it.
 */
export function insertAt(text: string, start: number, end: number, snippet: string): { text: string; cursor: number } {
  const before = text.slice(0, start);
  const after = text.slice(end);
  const lead = before === '' || before.endsWith('\n') ? '' : '\n';
  const trail = after === '' || after.startsWith('\n') ? '' : '\n';
  const inserted = `${lead}${snippet}${trail}`;
  return { text: `${before}${inserted}${after}`, cursor: before.length + lead.length + snippet.length };
}

/** The images among what was pasted or dropped (a screenshot pasted, files dragged in). */
export function imageFiles(files: FileList | readonly File[] | null | undefined): File[] {
  return [...(files ?? [])].filter((f) => f.type.startsWith('image/'));
}
