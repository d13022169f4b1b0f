/** The troubleshooting trees API (`/api/v1/troubleshooting/trees`, see src/modules/troubleshooting/README.md). */
import type {
  NodeKind, NodeStatsWire, PublishTreeBodyInput, TreeAnswer, TreeInputBody, TreeNode, TreeProblem as TreeGraphProblem, TreeSummaryWire, TreeWire,
} from '@contracts/troubleshooting.js';
import { ApiError, isRecord, request } from '../../../api/http.js';

export { NODE_KINDS } from '@contracts/enums.js';
export type { NodeKind, TreeAnswer, TreeNode };
/** A problem a refused save lists: TREE_INVALID's carry a code; VALIDATION_FAILED's (field checks) may not. */
export type TreeProblem = Omit<TreeGraphProblem, 'code'> & Partial<Pick<TreeGraphProblem, 'code'>> & {
  /** The field check's limit (TOO_LONG, TOO_MANY …) and the format a FORMAT_INVALID expected. */
  max?: number;
  min?: number;
  format?: string;
};
export type TreeLocale = TreeSummaryWire['locale'];
export type TreeSummary = TreeSummaryWire;
export type Tree = TreeWire;
/** The tree the editor sends (create, and save with the version it loaded). */
export type TreeDraft = Pick<TreeInputBody, 'slug' | 'locale' | 'product' | 'title'> & { description: string; nodes: TreeNode[] };
export type NodeStats = NodeStatsWire;

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
/** Publishes the saved version the editor sees (`version`): a save by someone else since answers TREE_CHANGED. */
export const publishTree = async (id: string, version: number) => {
  const body: PublishTreeBodyInput = { version };
  return asTree(await request('POST', `${BASE}/${id}/publish`, { body }));
};
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
