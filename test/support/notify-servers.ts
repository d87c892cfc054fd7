/**
 * Local stand-ins for the notification providers, speaking their real protocols on 127.0.0.1: the
 * WhatsApp Cloud API (an HTTP server that checks each request as Meta documents template messages and
 * answers as Meta does, errors and 429 included) and an SMTP server (the smtp-server package) that keeps
 * the mail it receives. `problems` lists every request that did not follow the documented format.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface WhatsAppCall {
  to: string;
  template: { name: string; language: { code: string }; components: { type: string; sub_type?: string; index?: string; parameters: { type: string; text?: string; payload?: string }[] }[] };
  payload: string;
  answered: 'ok' | '429' | 'error';
  wamid?: string;
}

export interface FakeWhatsApp {
  server: Server;
  base: string;
  calls: WhatsAppCall[];
  problems: string[];
  /** Button payloads to answer once with HTTP 429 (code 130429). */
  tooMany: Set<string>;
  /** Button payloads to answer always with HTTP 400 (code 131026, message undeliverable). */
  undeliverable: Set<string>;
  close(): Promise<void>;
}

export const readText = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => resolve(text));
  });

/** A JSON request's body, or what is wrong with it (not JSON, unreadable). */
export function jsonBody(req: IncomingMessage, text: string): Record<string, unknown> | string {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return 'not JSON';
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'unreadable JSON';
  }
}

export function startFakeWhatsApp(options: { version: string; phoneNumberId: string; accessToken: string }): Promise<FakeWhatsApp> {
  const calls: WhatsAppCall[] = [];
  const problems: string[] = [];
  const tooMany = new Set<string>();
  const undeliverable = new Set<string>();
  let next = 1;
  const server = createServer(async (req, res) => {
    const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const error = (status: number, code: number, message: string) => answer(status, { error: { message, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details: message }, fbtrace_id: 'AbCdEf' } });
    const text = await readText(req);
    const problem = (what: string) => {
      problems.push(`${req.method} ${req.url}: ${what}`);
      error(400, 100, `(#100) Invalid parameter: ${what}`);
    };
    if (req.method !== 'POST') return problem('not POST');
    if (req.url !== `/${options.version}/${options.phoneNumberId}/messages`) return problem('not /{version}/{phone number id}/messages');
    if (req.headers.authorization !== `Bearer ${options.accessToken}`) return error(401, 190, 'Error validating access token');
    const body = jsonBody(req, text);
    if (typeof body === 'string') return problem(body);
    if (body.messaging_product !== 'whatsapp') return problem('messaging_product must be "whatsapp"');
    if (body.recipient_type !== undefined && body.recipient_type !== 'individual') return problem('recipient_type must be "individual"');
    if (typeof body.to !== 'string' || !/^\+?\d{8,15}$/.test(body.to)) return problem('to must be a phone number');
    if (body.type !== 'template') return problem('type must be "template" (a business-initiated message)');
    const template = body.template as WhatsAppCall['template'] | undefined;
    if (!template || typeof template.name !== 'string' || typeof template.language?.code !== 'string') return problem('template needs name and language.code');
    const bodyPart = template.components?.find((c) => c.type === 'body');
    const button = template.components?.find((c) => c.type === 'button');
    if (!bodyPart || !Array.isArray(bodyPart.parameters) || bodyPart.parameters.length !== 2) return problem('the template body takes 2 parameters');
    for (const p of bodyPart.parameters) {
      if (p.type !== 'text' || typeof p.text !== 'string' || p.text === '' || p.text.length > 1024) return problem('body parameters must be {type: "text", text} of 1-1024 characters');
      if (/[\n\t]|\s{5,}/.test(p.text)) return problem('body parameters may not hold new lines, tabs or more than 4 spaces');
    }
    if (!button || button.sub_type !== 'quick_reply' || button.index !== '0' || button.parameters?.length !== 1 || button.parameters[0]!.type !== 'payload' || typeof button.parameters[0]!.payload !== 'string') {
      return problem('the button component must be {type: "button", sub_type: "quick_reply", index: "0", parameters: [{type: "payload", payload}]}');
    }
    const payload = button.parameters[0]!.payload!;
    if (tooMany.delete(payload)) {
      calls.push({ to: body.to, template, payload, answered: '429' });
      return error(429, 130429, 'Rate limit hit');
    }
    if (undeliverable.has(payload)) {
      calls.push({ to: body.to, template, payload, answered: 'error' });
      return error(400, 131026, 'Message undeliverable');
    }
    const wamid = `wamid.HBgM${String(next++).padStart(6, '0')}`;
    calls.push({ to: body.to, template, payload, answered: 'ok', wamid });
    return answer(200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to.replace(/^\+/, '') }], messages: [{ id: wamid, message_status: 'accepted' }] });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, problems, tooMany, undeliverable, close: () => new Promise<void>((r) => server.close(() => r())) }),
    ),
  );
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface FakeSmtp {
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** An SMTP server on 127.0.0.1 taking any mail (no TLS, with AUTH PLAIN/LOGIN for user/pass). */
export function startSmtp(credentials = { user: 'grouppulse', pass: 'smtp-test-password' }): Promise<FakeSmtp> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({ url: `smtp://${credentials.user}:${credentials.pass}@127.0.0.1:${port}`, mails, close: () => new Promise<void>((r) => server.close(() => r())) });
    }),
  );
}

/** The decoded text of a received mail's part of one content type (base64 or quoted-printable, UTF-8). */
export function mailPart(raw: string, contentType: 'text/plain' | 'text/html'): string | undefined {
  const start = raw.search(new RegExp(`Content-Type: ${contentType.replace('/', '\\/')}`, 'i'));
  if (start < 0) return undefined;
  const section = raw.slice(start);
  const split = section.indexOf('\r\n\r\n');
  const headers = section.slice(0, split);
  const end = section.slice(split + 4).search(/\r\n--/);
  const body = section.slice(split + 4, end < 0 ? undefined : split + 4 + end);
  const encoding = /Content-Transfer-Encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`);
    return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  }
  return body;
}

export interface BotCall {
  method: string;
  body: Record<string, unknown>;
}

export interface FakeTelegram {
  base: string;
  calls: BotCall[];
  problems: string[];
  close(): Promise<void>;
}

/**
 * The Telegram Bot API on 127.0.0.1: POST /bot<token>/<method> with a JSON body; sendMessage needs chat_id
 * and text and answers the sent message, answerCallbackQuery needs callback_query_id. Every call is kept.
 */
export function startFakeTelegram(token: string): Promise<FakeTelegram> {
  const calls: BotCall[] = [];
  const problems: string[] = [];
  let next = 1;
  const server = createServer(async (req, res) => {
    const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const text = await readText(req);
    const method = new RegExp(`^/bot${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\w+)$`).exec(req.url ?? '')?.[1];
    if (req.method !== 'POST' || !method) return answer(404, { ok: false, error_code: 404, description: 'Not Found' });
    const body = jsonBody(req, text);
    if (typeof body === 'string') {
      problems.push(`${method}: ${body}`);
      return answer(400, { ok: false, error_code: 400, description: `Bad Request: ${body}` });
    }
    calls.push({ method, body });
    if (method === 'sendMessage') {
      if (typeof body.chat_id !== 'number' && typeof body.chat_id !== 'string') problems.push('sendMessage without chat_id');
      if (typeof body.text !== 'string' || body.text === '') problems.push('sendMessage without text');
      return answer(200, { ok: true, result: { message_id: next++, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id, type: 'private' }, text: body.text } });
    }
    if (method === 'answerCallbackQuery') {
      if (typeof body.callback_query_id !== 'string') problems.push('answerCallbackQuery without callback_query_id');
      return answer(200, { ok: true, result: true });
    }
    return answer(200, { ok: true, result: true });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, problems, close: () => new Promise<void>((r) => server.close(() => r())) })),
  );
}
