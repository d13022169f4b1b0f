/**
 * What every inbox screen needs to name things: agents, departments, the workspace's urgency
 * names, canned replies, saved views; and a shared cache of customers (names in the list, the
 * screen-pop beside a conversation).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { actionErrorKey as errorKey, type ErrorKey } from '../../api/error-key.js';
import * as api from './tickets-api.js';
import { localName } from './format.js';
import type { AgentSummary, CannedReply, Customer, Department, SavedView, Urgency, UrgencyNames } from './tickets-api.js';

export interface InboxData {
  phase: 'loading' | 'ready' | 'error';
  error: ErrorKey | null;
  agents: AgentSummary[];
  departments: Department[];
  urgencyNames: UrgencyNames | null;
  canned: CannedReply[];
  views: SavedView[];
  setViews(update: (views: SavedView[]) => SavedView[]): void;
  retry(): void;
}

const InboxDataContext = createContext<InboxData | null>(null);

export function InboxDataProvider({ children }: { children: ReactNode }) {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<Omit<InboxData, 'setViews' | 'retry'>>({
    phase: 'loading', error: null, agents: [], departments: [], urgencyNames: null, canned: [], views: [],
  });

  useEffect(() => {
    let cancelled = false;
    Promise.all([api.agents(), api.departments(), api.urgencyNames(), api.cannedReplies(), api.savedViews()]).then(
      ([agents, departments, urgencyNames, canned, views]) => {
        if (!cancelled) setState({ phase: 'ready', error: null, agents, departments, urgencyNames, canned, views });
      },
      (error: unknown) => {
        if (!cancelled) setState((s) => ({ ...s, phase: 'error', error: errorKey(error) }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const setViews = useCallback((update: (views: SavedView[]) => SavedView[]) => {
    setState((s) => ({ ...s, views: update(s.views) }));
  }, []);
  const retry = useCallback(() => {
    setState((s) => ({ ...s, phase: 'loading', error: null }));
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo<InboxData>(() => ({ ...state, setViews, retry }), [state, setViews, retry]);
  return <InboxDataContext.Provider value={value}>{children}</InboxDataContext.Provider>;
}

export function useInboxData(): InboxData {
  const data = useContext(InboxDataContext);
  if (!data) throw new Error('useInboxData() outside <InboxDataProvider>');
  return data;
}

/** Names in the UI language: urgency levels (the workspace's), departments, agents. */
export function useNames() {
  const { t, i18n } = useTranslation();
  const { urgencyNames, departments, agents } = useInboxData();
  const locale = i18n.resolvedLanguage ?? i18n.language;
  return useMemo(() => {
    const urgencies = urgencyNames ? (urgencyNames[locale as keyof UrgencyNames] ?? urgencyNames.en) : null;
    return {
      locale,
      urgency: (level: Urgency) => urgencies?.[level] ?? t(`inbox.urgency.${level}`),
      department: (id: string | null) => {
        if (!id) return t('inbox.none');
        const department = departments.find((d) => d.id === id);
        return department ? localName(department.name, locale, department.key) : t('inbox.unknown');
      },
      agent: (id: string | null) => {
        if (!id) return t('inbox.unassigned');
        return agents.find((a) => a.id === id)?.name ?? t('inbox.unknownAgent');
      },
    };
  }, [t, locale, urgencyNames, departments, agents]);
}

// ---- customers -------------------------------------------------------------------------------

type CustomerEntry = { status: 'loading' } | { status: 'ready'; customer: Customer } | { status: 'error' };

const MAX_PARALLEL = 4;

/** One fetch per customer however many rows show them; a few at a time so the list's own calls go first. */
class CustomerCache {
  private entries = new Map<string, CustomerEntry>();
  private listeners = new Set<() => void>();
  private queue: string[] = [];
  private running = 0;
  private version = 0;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = () => this.version;

  get(id: string): CustomerEntry | undefined {
    return this.entries.get(id);
  }

  want(id: string, options: { refresh?: boolean } = {}): void {
    const entry = this.entries.get(id);
    if (entry && !options.refresh && entry.status !== 'error') return;
    if (!entry || entry.status === 'error') this.set(id, { status: 'loading' });
    if (!this.queue.includes(id)) this.queue.push(id);
    this.pump();
  }

  private pump(): void {
    while (this.running < MAX_PARALLEL && this.queue.length) {
      const id = this.queue.shift()!;
      this.running += 1;
      api.customer(id).then(
        (customer) => this.set(id, { status: 'ready', customer }),
        () => this.set(id, { status: 'error' }),
      ).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private set(id: string, entry: CustomerEntry): void {
    this.entries.set(id, entry);
    this.version += 1;
    for (const listener of this.listeners) listener();
  }
}

const customers = new CustomerCache();

/** The customers behind `ids`, fetched once each; missing ones are still loading (or failed). */
export function useCustomers(ids: readonly string[]): Map<string, Customer> {
  const version = useSyncExternalStore(customers.subscribe, customers.getVersion);
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    for (const id of key.split(',')) if (id) customers.want(id);
  }, [key]);
  return useMemo(() => {
    void version;
    const found = new Map<string, Customer>();
    for (const id of key.split(',')) {
      const entry = id ? customers.get(id) : undefined;
      if (entry?.status === 'ready') found.set(id, entry.customer);
    }
    return found;
  }, [key, version]);
}

/** One customer with their recent activity, re-read when `refreshKey` changes (live updates). */
export function useCustomer(id: string | null, refreshKey: unknown): { customer: Customer | null; failed: boolean } {
  const version = useSyncExternalStore(customers.subscribe, customers.getVersion);
  useEffect(() => {
    if (id) customers.want(id, { refresh: true });
  }, [id, refreshKey]);
  return useMemo(() => {
    void version;
    const entry = id ? customers.get(id) : undefined;
    return { customer: entry?.status === 'ready' ? entry.customer : null, failed: entry?.status === 'error' };
  }, [id, version]);
}
