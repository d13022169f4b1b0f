/** The troubleshooting trees API (`/api/v1/troubleshooting/trees`, see src/modules/troubleshooting/README.md). */
import { ApiError, isRecord, request } from '../../../api/http.js';

export const NODE_KINDS = ['question', 'solution', 'repair'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
export type TreeLocale = 'en' | 'zh-CN';

export interface TreeAnswer { id: string; label: string; next: string }
export interface TreeNode { id: string; kind: NodeKind; title: string; body: string; answers: TreeAnswer[]; articleId: string | null }

export interface TreeSummary {
  id: string;
  slug: string;
  locale: TreeLocale;
  product: string;
  title: string;
  description: string;
  version: number;
  published: boolean;
  hasUnpublishedChanges: boolean;
  url: string;
  updatedAt: string;
}
export interface Tree extends TreeSummary { nodes: TreeNode[] }

export interface TreeDraft { slug: string; locale: TreeLocale; product: string; title: string; description: string; nodes: TreeNode[] }

export interface NodeStats { nodeId: string; visits: number; advances: number; solutions: number; repairs: number; dropOffs: number }

/** One thing the server found wrong with a tree: `path` points at the field (`nodes.2.answers.0.next`). */
export interface TreeProblem { path: string; code?: string; message: string; nodeId?: string; cycle?: string[] }

const BASE = '/api/v1/troubleshooting/trees';

function asTree(body: unknown): Tree {
  if (!isRecord(body) || typeof body.id !== 'string' || !Array.isArray(body.nodes)) throw new ApiError('UNKNOWN', 200, 'unexpected tree');
  return body as unknown as Tree;
}

export async function listTrees(): Promise<TreeSummary[]> {
  const body = await request('GET', BASE);
  if (!isRecord(body) || !Array.isArray(body.trees)) throw new ApiError('UNKNOWN', 200, 'unexpected trees');
  return body.trees as TreeSummary[];
}

export const getTree = async (id: string) => asTree(await request('GET', `${BASE}/${id}`));
export const createTree = async (draft: TreeDraft) => asTree(await request('POST', BASE, { body: draft }));
export const saveTree = async (id: string, draft: TreeDraft, version: number) => asTree(await request('PUT', `${BASE}/${id}`, { body: { ...draft, version } }));
export const publishTree = async (id: string) => asTree(await request('POST', `${BASE}/${id}/publish`));
export const unpublishTree = async (id: string) => asTree(await request('POST', `${BASE}/${id}/unpublish`));
export const deleteTree = (id: string) => request('DELETE', `${BASE}/${id}`);

export async function treeStats(id: string): Promise<NodeStats[]> {
  const body = await request('GET', `${BASE}/${id}/stats`);
  if (!isRecord(body) || !Array.isArray(body.nodes)) throw new ApiError('UNKNOWN', 200, 'unexpected stats');
  return body.nodes as NodeStats[];
}

/** The problems a refused save lists (TREE_INVALID, VALIDATION_FAILED), for the editor to show beside the fields. */
export function problemsOf(error: unknown): TreeProblem[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return [];
  return error.details.filter((d): d is TreeProblem => isRecord(d) && typeof d.path === 'string' && typeof d.message === 'string');
}
