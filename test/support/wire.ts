/** What a client sees on the wire (JSON: dates are ISO strings). */
export interface WireMessage {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  receiverId: string | null;
  body: string;
  clientMsgId: string | null;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
}

export type WireAck<T extends object> =
  ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

export type SendAck = WireAck<{ message: WireMessage; duplicate: boolean }>;
export type PageAck = WireAck<{ items: WireMessage[]; hasMore: boolean }>;
