/**
 * Agents' accounts in a real browser (issue 19, items 1 and 2): an admin invites an agent in
 * Settings → Agents and the invited person sets a password through the mailed link and lands signed
 * in, while a second use of the link is refused; an invitation is resent and withdrawn; "forgot
 * password" answers alike for an unknown address, and its link sets a new password (in Chinese at
 * phone width); an agent changes their password in My profile, a wrong current one named under its field,
 * and turns a kind of notification mail off there (in Chinese at phone width).
 */
import { describe, expect, it } from 'vitest';
import consoleEn from '../../web/console/src/locales/en.json' with { type: 'json' };
import consoleZh from '../../web/console/src/locales/zh-CN.json' with { type: 'json' };
import settingsEn from '../../web/console/src/features/settings/locales/en.json' with { type: 'json' };
import settingsZh from '../../web/console/src/features/settings/locales/zh-CN.json' with { type: 'json' };
import { PHONE, SYSTEM, named, pageFitsWidth, settingsHarness } from './settings-harness.js';

const h = settingsHarness();

describe('Agent invitations', () => {
  it('an admin invites an agent, who sets a password through the link and is signed in; the link works once', async () => {
    const admin = await h.signIn('en-GB', h.server().admin, '/agent/settings/agents');
    try {
      const form = admin.page.getByRole('form', { name: settingsEn.invitations.add });
      await form.getByLabel(settingsEn.invitations.email).fill('mei.invited@acme.example');
      await form.getByLabel(settingsEn.invitations.name).fill('Mei Invited');
      await form.getByLabel(settingsEn.agents.role).selectOption('agent');
      await form.getByRole('button', { name: settingsEn.invitations.addButton }).click();
      await admin.page.getByText(named(settingsEn.invitations.sent, { email: 'mei.invited@acme.example' })).waitFor();
      await admin.page.getByRole('row').filter({ hasText: 'mei.invited@acme.example' }).waitFor();

      // The same address again: named under the e-mail field, nothing sent.
      await form.getByLabel(settingsEn.invitations.email).fill('mei.invited@acme.example');
      await form.getByLabel(settingsEn.invitations.name).fill('Mei Again');
      await form.getByRole('button', { name: settingsEn.invitations.addButton }).click();
      await form.getByText(settingsEn.fieldRules.invitationPending).waitFor();
      expect((await h.api('GET', '/agent-invitations')).body.invitations).toHaveLength(1);
      expect(admin.errors).toEqual([]);
    } finally {
      await admin.close();
    }

    const link = await h.mailedLink('mei.invited@acme.example', 'agentInvitation');
    const { name: workspaceName } = await h.server().test.services.accounts.workspace(h.server().test.workspace.id);
    const invited = await h.open('en-GB', link);
    try {
      await invited.page.getByText(named(consoleEn.invitation.lead, { name: 'Mei Invited', workspace: workspaceName.en, role: consoleEn.roles.agent })).waitFor();
      const password = invited.page.getByLabel(consoleEn.password.choose);
      await password.fill('short');
      await invited.page.getByRole('button', { name: consoleEn.invitation.submit }).click();
      await invited.page.getByText(named(consoleEn.password.tooShort, { min: '10' })).waitFor();
      await password.fill('mei-chose-this-password');
      await invited.page.getByRole('button', { name: consoleEn.invitation.submit }).click();
      await invited.page.getByRole('banner').getByText('Mei Invited', { exact: true }).waitFor();
      expect(new URL(invited.page.url()).search).toBe('');
      expect(invited.errors).toEqual([]);
    } finally {
      await invited.close();
    }
    expect((await h.api('GET', '/agents')).body.agents.some((a: { email: string }) => a.email === 'mei.invited@acme.example')).toBe(true);

    const again = await h.open('en-GB', link);
    try {
      await again.page.getByText(consoleEn.errors.INVITATION_EXPIRED).waitFor();
      await expect(again.page.getByLabel(consoleEn.password.choose).count()).resolves.toBe(0);
    } finally {
      await again.close();
    }
  });

  it('resends an invitation (the old link dies) and withdraws it, in Chinese at phone width', async () => {
    const { services, workspace } = h.server().test;
    await services.accounts.inviteAgent(workspace.id, { email: 'wang.later@acme.example', name: '王稍后', role: 'editor', locale: 'zh-CN' }, SYSTEM);
    const firstLink = await h.mailedLink('wang.later@acme.example', 'agentInvitation');
    const admin = await h.signIn('zh-CN', h.server().admin, '/agent/settings/agents', PHONE);
    try {
      await admin.page.getByRole('button', { name: named(settingsZh.invitations.resendNamed, { email: 'wang.later@acme.example' }) }).click();
      await admin.page.getByText(named(settingsZh.invitations.sent, { email: 'wang.later@acme.example' })).waitFor();
      expect(await h.mailedLink('wang.later@acme.example', 'agentInvitation')).not.toBe(firstLink);
      expect(await pageFitsWidth(admin.page)).toBe(true);
      await admin.page.getByRole('button', { name: named(settingsZh.invitations.revokeNamed, { email: 'wang.later@acme.example' }) }).click();
      await admin.page.getByRole('row').filter({ hasText: 'wang.later@acme.example' }).waitFor({ state: 'detached' });
      expect(admin.errors).toEqual([]);
    } finally {
      await admin.close();
    }
    const old = await h.open('zh-CN', firstLink, PHONE);
    try {
      await old.page.getByText(consoleZh.errors.INVITATION_INVALID).waitFor();
    } finally {
      await old.close();
    }
    const withdrawn = await h.open('zh-CN', await h.mailedLink('wang.later@acme.example', 'agentInvitation'), PHONE);
    try {
      await withdrawn.page.getByText(consoleZh.errors.INVITATION_REVOKED).waitFor();
    } finally {
      await withdrawn.close();
    }
  });
});

describe('Forgot password', () => {
  it('answers an unknown address as a known one, and the mailed link sets a new password, in Chinese at phone width', async () => {
    const { services, workspace } = h.server().test;
    const who = { email: 'forgetful.agent@acme.example', name: '健忘的客服', password: 'the-old-password-1' };
    await services.accounts.createAgent(workspace.id, { ...who, role: 'agent' }, SYSTEM);

    const ask = async (email: string) => {
      const session = await h.open('zh-CN', '/agent', PHONE);
      await session.page.getByRole('link', { name: consoleZh.login.forgot }).click();
      await session.page.getByLabel(consoleZh.login.email).fill(email);
      await session.page.getByRole('button', { name: consoleZh.forgot.submit }).click();
      const answer = await session.page.getByRole('status').textContent();
      expect(session.errors).toEqual([]);
      await session.close();
      return answer?.replace(email, '<address>');
    };
    expect(await ask('nobody.here@acme.example')).toBe(await ask(who.email));
    await h.server().test.jobs.drain();

    const reset = await h.open('zh-CN', await h.mailedLink(who.email, 'passwordReset'), PHONE);
    try {
      await reset.page.getByLabel(consoleZh.password.new, { exact: true }).fill('the-new-password-2');
      await reset.page.getByRole('button', { name: consoleZh.reset.submit }).click();
      await reset.page.getByText(consoleZh.reset.done).waitFor();
      expect(await pageFitsWidth(reset.page)).toBe(true);
      await reset.page.getByRole('link', { name: consoleZh.forgot.backToSignIn }).click();
      await reset.page.getByLabel(consoleZh.login.email).fill(who.email);
      await reset.page.getByLabel(consoleZh.login.password).fill('the-new-password-2');
      await reset.page.getByRole('button', { name: consoleZh.login.submit }).click();
      await reset.page.getByRole('heading', { level: 1 }).filter({ hasNotText: consoleZh.login.heading }).waitFor();
      expect(reset.errors).toEqual([]);
    } finally {
      await reset.close();
    }
  });
});

describe('My profile', () => {
  it('changes the password with the current one; a wrong current one is named under its field', async () => {
    const { page, errors, close } = await h.signIn('en-GB', h.agent, '/agent/settings/profile');
    try {
      const form = page.getByRole('form', { name: settingsEn.profile.password });
      await form.getByLabel(settingsEn.profile.currentPassword).fill('not-my-password');
      await form.getByLabel(settingsEn.profile.newPassword).fill('plain-agent-password-2');
      await form.getByRole('button', { name: settingsEn.profile.changePassword }).click();
      await form.getByText(settingsEn.fieldRules.currentPassword).waitFor();

      await form.getByLabel(settingsEn.profile.currentPassword).fill(h.agent.password);
      await form.getByRole('button', { name: settingsEn.profile.changePassword }).click();
      await form.getByText(settingsEn.profile.passwordChanged).waitFor();
      const signIn = (password: string) => h.server().test.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: h.agent.email, password } });
      expect((await signIn(h.agent.password)).statusCode).toBe(401);
      expect((await signIn('plain-agent-password-2')).statusCode).toBe(200);
      h.agent.password = 'plain-agent-password-2';
      // Still signed in here.
      await page.reload();
      await form.waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('turns a kind of notification mail off and keeps it off after a reload, in Chinese at phone width', async () => {
    const { page, errors, close } = await h.signIn('zh-CN', h.agent, '/agent/settings/profile', PHONE);
    try {
      const form = page.getByRole('form', { name: settingsZh.profile.notifications });
      const assigned = form.getByLabel(settingsZh.profile.kinds.assigned);
      await expect(assigned.isChecked()).resolves.toBe(true);
      await assigned.uncheck();
      await form.getByRole('button', { name: settingsZh.save }).click();
      await form.getByText(settingsZh.profile.notificationsSaved).waitFor();
      await page.reload();
      await expect(page.getByRole('form', { name: settingsZh.profile.notifications }).getByLabel(settingsZh.profile.kinds.assigned).isChecked()).resolves.toBe(false);
      await expect(page.getByLabel(settingsZh.profile.kinds.customerReplied).isChecked()).resolves.toBe(true);
      const { services, workspace } = h.server().test;
      expect(await services.accounts.notificationPreferences(workspace.id, h.agent.id)).toEqual({ assigned: false, customerReplied: true, slaWarning: true });
      expect(await pageFitsWidth(page)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
