/**
 * Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069). In a
 * one-line name they make `invoice‮fdp.exe` show as `invoiceexe.pdf` (issue 12 #16); a subject or
 * file name never needs them (Arabic and Hebrew text is ordered by the characters themselves).
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/** A subject or file name without bidi controls. */
export function withoutBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
