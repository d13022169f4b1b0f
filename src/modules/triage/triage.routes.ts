import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../core/errors.js';
import { actorOf, requireAgent } from '../accounts/index.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import {
  AutomationSettingsInput, AutomationSettingsView, ClassifyInput, ClassifyView, DecisionView, NotSpamView, ModelListView, RuleInput, RuleListView, RuleTrialInput, RuleTrialView, RuleView, SettingsInput, SettingsView,
  TemplateInput, TemplateListView, TemplateView,
} from '../../contracts/triage.js';
import type { RuleRow, TemplateRow } from './triage.schema.js';
import type { TriageService } from './triage.service.js';

const ruleView = (r: RuleRow) => ({
  id: r.id, name: r.name, enabled: r.enabled, position: r.position, conditions: r.conditions, actions: r.actions, createdAt: r.created_at, updatedAt: r.updated_at,
});

const templateView = (t: TemplateRow) => ({
  id: t.id, departmentId: t.department_id, urgency: t.urgency, locale: t.locale, subject: t.subject, body: t.body, createdAt: t.created_at, updatedAt: t.updated_at,
});

/** Any agent reads rules, models and decisions and may try the classifier; admins change settings and rules and ask for training. */
export const triageRoutes = (triage: TriageService): FastifyPluginAsyncZod => async (app) => {
  const anyAgent = { preHandler: requireAgent() };
  const admins = { preHandler: requireAgent('admin') };
  const tags = ['triage'];

  app.get('/triage/settings', { ...anyAgent, schema: { tags, summary: 'Whether triage runs, and the classifier\'s confidence threshold', response: { 200: SettingsView } } },
    async (request) => triage.settings(request.workspace.id));

  app.put('/triage/settings', {
    ...admins,
    schema: { tags, summary: 'Change triage settings (admin)', body: SettingsInput, response: { 200: SettingsView, 400: ErrorView } },
  }, async (request) => triage.saveSettings(request.workspace.id, request.body));

  app.get('/triage/rules', { ...anyAgent, schema: { tags, summary: 'The workspace\'s rules, in the order they are tried', response: { 200: RuleListView } } },
    async (request) => ({ rules: (await triage.rules(request.workspace.id)).map(ruleView) }));

  app.post('/triage/rules', {
    ...admins,
    schema: {
      tags, summary: 'Add a rule (admin); refused with the problems when a pattern could backtrack without end, it contradicts itself or another rule, or loops',
      body: RuleInput, response: { 201: RuleView, 400: ErrorView, 409: ErrorView },
    },
  }, async (request, reply) => reply.code(201).send(ruleView(await triage.createRule(request.workspace.id, request.body))));

  app.post('/triage/rules/try', {
    ...admins,
    schema: {
      tags, summary: 'Try a rule on the newest tickets before saving it (admin): which it matches and what it would set; nothing is changed',
      body: RuleTrialInput, response: { 200: RuleTrialView, 400: ErrorView },
    },
  }, async (request) => {
    const { limit, ...rule } = request.body;
    return triage.tryRule(request.workspace.id, rule, limit);
  });

  app.put('/triage/rules/:id', {
    ...admins,
    schema: { tags, summary: 'Replace a rule (admin); `position` moves it', params: IdParams, body: RuleInput, response: { 200: RuleView, 400: ErrorView, 404: ErrorView, 409: ErrorView } },
  }, async (request) => ruleView(await triage.updateRule(request.workspace.id, request.params.id, request.body)));

  app.delete('/triage/rules/:id', {
    ...admins,
    schema: { tags, summary: 'Delete a rule (admin)', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await triage.deleteRule(request.workspace.id, request.params.id);
    return reply.code(204).send(null);
  });

  app.get('/triage/templates', {
    ...anyAgent, schema: { tags, summary: 'Acknowledgement templates per department × urgency × language', response: { 200: TemplateListView } },
  }, async (request) => ({ templates: (await triage.templates.list(request.workspace.id)).map(templateView) }));

  app.post('/triage/templates', {
    ...admins,
    schema: { tags, summary: 'Add an acknowledgement template (admin); null department or urgency means any', body: TemplateInput, response: { 201: TemplateView, 400: ErrorView, 409: ErrorView } },
  }, async (request, reply) => reply.code(201).send(templateView(await triage.templates.create(request.workspace.id, request.body))));

  app.put('/triage/templates/:id', {
    ...admins,
    schema: { tags, summary: 'Replace an acknowledgement template (admin)', params: IdParams, body: TemplateInput, response: { 200: TemplateView, 400: ErrorView, 404: ErrorView, 409: ErrorView } },
  }, async (request) => templateView(await triage.templates.update(request.workspace.id, request.params.id, request.body)));

  app.delete('/triage/templates/:id', {
    ...admins, schema: { tags, summary: 'Delete an acknowledgement template (admin)', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await triage.templates.remove(request.workspace.id, request.params.id);
    return reply.code(204).send(null);
  });

  app.get('/triage/models', {
    ...anyAgent,
    schema: { tags, summary: 'The newest classifier of each target: version, examples, labels, accuracy on held-back tickets', response: { 200: ModelListView } },
  }, async (request) => ({ models: await triage.modelSummaries(request.workspace.id) }));

  app.post('/triage/models/train', {
    ...admins,
    schema: { tags, summary: 'Retrain the classifiers on the labelled tickets now, in the background (admin)', response: { 202: z.object({ queued: z.boolean() }) } },
  }, async (request, reply) => reply.code(202).send(await triage.requestTraining(request.workspace.id)));

  app.post('/triage/classify', {
    ...anyAgent,
    schema: { tags, summary: 'What the newest classifiers say about a text', body: ClassifyInput, response: { 200: ClassifyView, 400: ErrorView } },
  }, async (request) => ({ predictions: await triage.classify(request.workspace.id, request.body.text) }));

  app.get('/triage/automations', {
    ...anyAgent, schema: { tags, summary: 'Reminders, escalation, auto-closing, duplicate merging and spam scoring: the workspace\'s settings', response: { 200: AutomationSettingsView } },
  }, async (request) => triage.automations.settings(request.workspace.id));

  app.put('/triage/automations', {
    ...admins,
    schema: {
      tags, summary: 'Replace the automation settings (admin, audited); refused with each problem\'s path when out of range or an escalation does nothing',
      body: AutomationSettingsInput, response: { 200: AutomationSettingsView, 400: ErrorView },
    },
  }, async (request) => triage.automations.saveSettings(request.workspace.id, request.body, actorOf(request)));

  app.post('/triage/tickets/:id/not-spam', {
    ...anyAgent,
    schema: { tags, summary: 'Not spam: the ticket leaves the spam view (tag removed, reopened)', params: IdParams, response: { 200: NotSpamView, 404: ErrorView, 409: ErrorView } },
  }, async (request) => triage.notSpam(request.workspace.id, request.params.id));

  app.get('/triage/tickets/:id', {
    ...anyAgent,
    schema: { tags, summary: 'What triage decided or suggests for a ticket', params: IdParams, response: { 200: DecisionView, 404: ErrorView } },
  }, async (request) => {
    const decision = await triage.decision(request.workspace.id, request.params.id, request.locale);
    if (!decision) throw notFound('triage_decision');
    return decision;
  });
};
