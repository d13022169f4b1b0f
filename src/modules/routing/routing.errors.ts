import { AppError, notFound } from '../../core/errors.js';

/** Every error the routing module throws on purpose; codes are stable, clients branch on them. */
export const routingErrors = {
  /** A department named in a request (body, query, argument) that the workspace does not have. */
  departmentUnknown: () =>
    new AppError('DEPARTMENT_UNKNOWN', 400, 'There is no such department in this workspace'),
  /** The department a path names (`/routing/departments/:id`) does not exist. */
  departmentNotFound: () => notFound('department'),
  departmentKeyTaken: () =>
    new AppError('DEPARTMENT_KEY_TAKEN', 409, 'This workspace already has a department with that key'),
  membersUnknown: (agentIds: string[]) =>
    new AppError('MEMBER_UNKNOWN', 400, 'Team members must be agents of this workspace', { agentIds }),
  agentUnavailable: () =>
    new AppError('AGENT_UNAVAILABLE', 409, 'That agent is not online, is in after-contact work or has no free chat slot'),
  /** Named like a schema failure (`details: [{path}]`), so a form can show it under the field at fault. */
  overflowInvalid: (field: 'overflowDepartmentId' | 'overflowAfterSeconds') =>
    new AppError('VALIDATION_FAILED', 400, 'Overflow needs another team and a number of seconds, or neither', [
      { path: `body.${field}`, message: field === 'overflowDepartmentId' ? 'another team of this workspace' : 'seconds, with an overflow team' },
    ]),
};
