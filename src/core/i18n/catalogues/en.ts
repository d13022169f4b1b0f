/** The English catalogue; zh-CN must have exactly these keys (the type checks it). */
export const en = {
  product: { name: 'Kefu', tagline: 'Customer service' },
  nav: {
    helpCentre: 'Help centre',
    community: 'Community',
    contact: 'Contact us',
    myRequests: 'My requests',
    signIn: 'Sign in',
    signOut: 'Sign out',
    register: 'Create account',
    agentConsole: 'Agent console',
    language: 'Language',
    skipToContent: 'Skip to content',
  },
  home: {
    title: 'How can we help?',
    searchLabel: 'Search the help centre',
    searchPlaceholder: 'e.g. printer does not print',
    searchButton: 'Search',
    popularTopics: 'Popular topics',
    stillNeedHelp: 'Still need help?',
    stillNeedHelpBody: 'Our team answers by e-mail, web form and live chat.',
  },
  account: {
    email: 'E-mail',
    password: 'Password',
    name: 'Name',
    newPassword: 'New password',
    signInTitle: 'Sign in to your account',
    registerTitle: 'Create your account',
    forgotPassword: 'Forgot your password?',
    resetTitle: 'Reset your password',
    resetRequested: 'If an account exists for that address, we have sent a link to reset the password.',
    resetDone: 'Your password has been changed. You can sign in now.',
    sendResetLink: 'Send reset link',
    setPassword: 'Set new password',
    welcome: 'Welcome, {{name}}',
    myRequestsEmpty: 'You have no requests yet.',
  },
  errors: {
    INVALID_CREDENTIALS: 'The e-mail or password is not correct.',
    RATE_LIMITED: 'Too many attempts. Please wait a few minutes and try again.',
    VALIDATION_FAILED: 'Some fields are not valid.',
    CSRF_INVALID: 'Your form expired. Please reload the page and try again.',
    EMAIL_TAKEN: 'An account with this e-mail already exists.',
    RESET_TOKEN_INVALID: 'This reset link is invalid or has expired.',
    NOT_FOUND: 'Page not found.',
    INTERNAL: 'Something went wrong on our side. Please try again.',
  },
  mail: {
    passwordReset: {
      subject: 'Reset your {{workspace}} password',
      body: 'Hello {{name}},\n\nSomeone asked to reset the password of your {{workspace}} account. To choose a new password, open this link within one hour:\n\n{{link}}\n\nIf it was not you, ignore this e-mail; your password stays the same.',
    },
  },
  footer: { poweredBy: 'Powered by Kefu, open-source customer service' },
};

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
export type Catalogue = Widen<typeof en>;
