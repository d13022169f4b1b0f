import { AppError } from '../../core/errors.js';

/** Every error the routing module throws on purpose; codes are stable, clients branch on them. */
export const routingErrors = {
  departmentUnknown: () =>
    new AppError('DEPARTMENT_UNKNOWN', 404, 'There is no such department in this workspace'),
  membersUnknown: (agentIds: string[]) =>
    new AppError('MEMBER_UNKNOWN', 400, 'Team members must be agents of this workspace', { agentIds }),
};
