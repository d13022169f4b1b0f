/** Outbound mail's public face; see ../README.md ("Outbound mail"). */
export { OutboundMailService, MAILED_CHANNELS, SWEEP_JOB, type OutboundOptions } from './outbound.service.js';
export { NodemailerSender, classifySmtpError, type SmtpSender } from './outbound.transport.js';
export { outboundRoutes } from './outbound.routes.js';
export { registerOutboundWorkers } from './outbound.jobs.js';
