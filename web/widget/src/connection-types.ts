/**
 * What the widget's screens hear from the server, once chat-connection.ts has read the wire
 * protocol (messages and their ticks go straight into the connection's MessageLog).
 */

export interface Department {
  id: string;
  name: string;
}

export interface WidgetSettings {
  /** False outside business hours or with nobody available: the widget offers "leave a message". */
  online: boolean;
  /** Closed for the business hours: the next opening, if known (else null). Undefined when not closed for the hours. */
  opensAt?: Date | null;
  departments: Department[];
  maxMessageBytes: number;
  maxUploadBytes: number;
}

export interface Suggestion {
  title: string;
  url: string;
}

export interface PreChat {
  name: string;
  email: string;
  departmentId: string | null;
  message: string;
}

export type ChatEvent =
  | { type: 'queue'; position: number; estimatedWaitSeconds: number | null }
  | { type: 'joined'; agentName: string }
  | { type: 'transferred' }
  | { type: 'ended' }
  | { type: 'offline'; ticketNumber: number | null }
  | { type: 'typing'; typing: boolean; name: string | null }
  | { type: 'suggestions'; suggestions: Suggestion[] }
  | { type: 'connection'; connected: boolean }
  /** A message the server refused for good (`code`: the protocol's error code); it was taken out of the log. */
  | { type: 'refused'; code: string };
