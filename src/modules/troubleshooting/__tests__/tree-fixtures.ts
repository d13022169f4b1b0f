import type { TreeNode } from '../troubleshooting.schema.js';

/** A small tree: power? → (no) repair; (yes) jam? → (yes) solution, (no) solution. */
export function smallTree(overrides: Partial<{ slug: string; locale: 'en' | 'zh-CN'; product: string; title: string; nodes: TreeNode[] }> = {}) {
  return {
    slug: 'printer-does-not-print', locale: 'en' as const, product: 'P200 inkjet', title: 'Printer does not print', description: '',
    nodes: [
      node('power', 'question', 'Is the power light on?', [['on', 'Yes', 'jam'], ['off', 'No', 'repair']]),
      node('jam', 'question', 'Is paper stuck?', [['yes', 'Yes', 'clear'], ['no', 'No', 'driver']]),
      { ...node('clear', 'solution', 'Clear the jam'), body: 'Pull the sheet out **slowly**.' },
      { ...node('driver', 'solution', 'Reinstall the driver'), body: 'Download the driver again.' },
      { ...node('repair', 'repair', 'We need to look at it'), body: 'Our team will repair it.' },
    ],
    ...overrides,
  };
}

export function node(id: string, kind: TreeNode['kind'], title: string, answers: [string, string, string][] = []): TreeNode {
  return { id, kind, title, body: '', articleId: null, answers: answers.map(([answerId, label, next]) => ({ id: answerId, label, next })) };
}
