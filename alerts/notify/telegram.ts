/**
 * The Telegram Bot API, as far as notifications need it: sendMessage with an inline "Acknowledge"
 * button, answerCallbackQuery. Requests are JSON POSTs to `<base>/bot<token>/<method>`; answers are
 * `{ok: true, result}` or `{ok: false, error_code, description, parameters?: {retry_after}}`. The token
 * is never logged: errors name the method only.
 */

export interface BotApiOptions {
  /** https://api.telegram.org, or a local stand-in in tests. */
  base: string;
  token: string;
  timeoutMs?: number;
}

export type BotAnswer<T> = { ok: true; result: T } | { ok: false; status: number; description: string; retryAfterSeconds?: number };

export interface InlineButton {
  text: string;
  callback_data: string;
}

export interface BotApi {
  sendMessage(chatId: number, text: string, keyboard: InlineButton[][]): Promise<BotAnswer<{ message_id: number }>>;
  answerCallbackQuery(callbackQueryId: string, text: string): Promise<BotAnswer<boolean>>;
}

export function createBotApi(options: BotApiOptions): BotApi {
  async function call<T>(method: string, body: unknown): Promise<BotAnswer<T>> {
    let response: Response;
    try {
      response = await fetch(`${options.base.replace(/\/+$/, '')}/bot${options.token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const e = error as Error;
      return { ok: false, status: 0, description: e.name === 'TimeoutError' ? `${method}: no answer in time` : `${method}: ${e.message.replace(options.token, '<token>')}` };
    }
    const text = await response.text().catch(() => '');
    let parsed: { ok?: boolean; result?: T; description?: string; parameters?: { retry_after?: number } } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = {};
    }
    if (response.ok && parsed.ok === true) return { ok: true, result: parsed.result as T };
    const retryAfter = parsed.parameters?.retry_after;
    return {
      ok: false,
      status: response.status,
      description: `${method}: HTTP ${response.status}${parsed.description ? ` ${parsed.description.slice(0, 200)}` : ''}`,
      retryAfterSeconds: typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter : undefined,
    };
  }

  return {
    sendMessage(chatId, text, keyboard) {
      return call('sendMessage', keyboard.length > 0 ? { chat_id: chatId, text, reply_markup: { inline_keyboard: keyboard } } : { chat_id: chatId, text });
    },
    answerCallbackQuery(callbackQueryId, text) {
      return call('answerCallbackQuery', { callback_query_id: callbackQueryId, text });
    },
  };
}

/**
 * At most `perSecond` sends in any second, per process (Telegram allows a bot about 30 messages a second).
 * `now` and `sleep` are injected: tests never wait on the wall clock.
 */
export function createRateLimit(perSecond: number, now: () => number, sleep: (ms: number) => Promise<void>): () => Promise<void> {
  const sent: number[] = [];
  let queue = Promise.resolve();
  return () => {
    const turn = queue.then(async () => {
      for (;;) {
        const t = now();
        while (sent.length > 0 && sent[0]! <= t - 1000) sent.shift();
        if (sent.length < perSecond) {
          sent.push(t);
          return;
        }
        await sleep(sent[0]! + 1000 - t);
      }
    });
    queue = turn.catch(() => undefined);
    return turn;
  };
}
