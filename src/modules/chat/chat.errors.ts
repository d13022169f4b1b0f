import { AppError } from '../../core/errors.js';
import type { ChatErrorCode } from '../../contracts/chat.js';

const chatError = (code: ChatErrorCode, status: number, message: string, details?: unknown) => new AppError(code, status, message, details);

/** Every error the chat module throws on purpose; the codes are the protocol's (`CHAT_ERROR_CODES`). */
export const chatErrors = {
  validation: (message: string, details?: unknown) => chatError('VALIDATION_FAILED', 400, message, details),
  workspaceUnknown: () => chatError('WORKSPACE_UNKNOWN', 404, 'There is no workspace with that name'),
  tokenInvalid: () => chatError('TOKEN_INVALID', 401, 'The chat token is not valid; start a new chat'),
  conversationNotFound: () => chatError('CONVERSATION_NOT_FOUND', 404, 'There is no such conversation'),
  conversationEnded: () => chatError('CONVERSATION_ENDED', 409, 'This chat has ended; replies continue by e-mail'),
  conversationActive: () => chatError('CONVERSATION_ACTIVE', 409, 'This chat is still going; rate it once it has ended'),
  alreadyRated: () => chatError('ALREADY_RATED', 409, 'This chat has already been rated'),
  ratingClosed: () => chatError('RATING_CLOSED', 409, 'This chat can no longer be rated'),
  messageTooLarge: () => chatError('MESSAGE_TOO_LARGE', 413, 'The message is too long'),
  rateLimited: (retryAfterMs: number) => chatError('RATE_LIMITED', 429, 'Too many messages; wait a moment', { retryAfterMs }),
  offerNotFound: () => chatError('OFFER_NOT_FOUND', 409, 'This chat is not offered to you (any more)'),
  agentUnavailable: () => chatError('AGENT_UNAVAILABLE', 409, 'That agent cannot take a chat now'),
  agentNotFound: () => new AppError('AGENT_NOT_FOUND', 404, 'There is no such agent'),
  departmentUnknown: () => chatError('DEPARTMENT_UNKNOWN', 400, 'There is no such department in this workspace'),
  channelNotFound: () => new AppError('CHANNEL_NOT_FOUND', 404, 'There is no such channel'),
  channelTargetForbidden: (message: string, details: unknown, options: ErrorOptions) => new AppError('CHANNEL_TARGET_FORBIDDEN', 400, message, details, options),
  signatureInvalid: () => new AppError('SIGNATURE_INVALID', 401, 'The signature is missing, wrong or too old'),
};
