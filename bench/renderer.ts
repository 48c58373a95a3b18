// The renderer in Chromium: how long a chat of 100,000 messages takes to paint its
// message list after it is opened, and how many message nodes the DOM holds then,
// while scrolling up through older pages, and back at the bottom.
import { existsSync } from 'node:fs';
import { chromium, type Page } from '@playwright/test';
import type { User } from '../protocol/types';
import { CHROMIUM_ARGS, CHROMIUM_PATH as CHROMIUM } from '../tests/helpers/chromium';

// Keys and selectors the renderer uses (renderer/bridge/web/kept-session.ts,
// renderer/components/ChatList.vue, ChatPanel.vue, MessageList.vue).
const TOKEN_KEY = 'relaychat.token';
const USER_KEY = 'relaychat.user';
const MESSAGE = '[data-testid="message"]';
const chatButton = (chatId: string) => `[data-testid="chat-list"] [data-chat-id="${chatId}"]`;
const panel = (chatId: string) => `[data-testid="chat-panel"][data-chat-id="${chatId}"]`;

export type RendererReport =
  | { skipped: string }
  | {
      chatSize: number;
      openToPaintMs: number;
      nodesAfterOpen: number;
      domElementsAfterOpen: number;
      scrollPages: number;
      topNudges: number;
      oldestReached: number;
      maxNodesWhileScrolling: number;
      nodesBackAtBottom: number;
      backToBottomMs: number;
      jsHeapMb: number;
    };

/** Why the renderer part cannot run here, or null when it can. */
export function rendererUnavailable(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} not installed (apt-get install -y chromium)`;
}

/** Number N of the oldest message shown; bodies read "message N of SIZE: ...". */
async function oldestShown(page: Page, chatId: string): Promise<number> {
  return page.$$eval(`${panel(chatId)} [data-testid="message-body"]`, (els) =>
    Math.min(...els.map((e) => Number(/^message (\d+) of/.exec(e.textContent ?? '')?.[1] ?? Infinity))),
  );
}

export async function benchRenderer(
  url: string,
  who: { token: string; user: User },
  chat: { chatId: string; size: number },
  scrollBudgetMs: number,
): Promise<RendererReport> {
  const why = rendererUnavailable();
  if (why) return { skipped: why };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(
      ([tk, uk, token, user]) => {
        if (!localStorage.getItem(tk)) {
          localStorage.setItem(tk, token);
          localStorage.setItem(uk, user);
        }
      },
      [TOKEN_KEY, USER_KEY, who.token, JSON.stringify(who.user)] as const,
    );
    const page = await context.newPage();
    await page.goto(url);
    try {
      await page.waitForSelector(chatButton(chat.chatId), { timeout: 20_000 });
    } catch {
      return { skipped: `the chat list never showed the seeded chat (signed in through ${TOKEN_KEY}/${USER_KEY})` };
    }
    // Click and wait inside the page: the time runs from the click until a frame has
    // been produced with message rows in it (rAF, then a task after the frame). No
    // named functions inside: tsx would wrap them in a helper the page does not have.
    const openToPaintMs = await page.evaluate(
      ([button, rows]) =>
        new Promise<number>((resolve, reject) => {
          const t0 = performance.now();
          const timer = setTimeout(() => reject(new Error('no message rows 20 s after opening the chat')), 20_000);
          const obs = new MutationObserver(() => {
            if (!document.querySelector(rows)) return;
            obs.disconnect();
            requestAnimationFrame(() =>
              setTimeout(() => {
                clearTimeout(timer);
                resolve(performance.now() - t0);
              }, 0),
            );
          });
          obs.observe(document.body, { childList: true, subtree: true });
          (document.querySelector(button) as HTMLElement).click();
        }),
      [chatButton(chat.chatId), `${panel(chat.chatId)} ${MESSAGE}`] as const,
    );
    await page.waitForTimeout(300);
    const count = () => page.$$eval(`${panel(chat.chatId)} ${MESSAGE}`, (els) => els.length);
    const nodesAfterOpen = await count();
    const domElementsAfterOpen = await page.evaluate(() => document.getElementsByTagName('*').length);

    // Scroll to the top again and again: each time the list asks for an older page.
    const scroller = `${panel(chat.chatId)} [data-testid="message-scroller"]`;
    let maxNodes = nodesAfterOpen;
    let scrollPages = 0;
    let oldest = await oldestShown(page, chat.chatId);
    const deadline = Date.now() + scrollBudgetMs;
    const box = await page.locator(scroller).boundingBox();
    if (!box) throw new Error('the message list has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // A user's wheel, not scrollTop: wheel input is what the list has to keep up with.
    // At the very top another wheel-up fires no scroll event, so when the list sits at
    // 0 after a page came in (place not kept), a nudge down and up again is counted.
    let nudges = 0;
    let idle = 0;
    while (Date.now() < deadline && oldest > 1) {
      await page.mouse.wheel(0, -4000);
      await page.waitForTimeout(80);
      maxNodes = Math.max(maxNodes, await count());
      const now = await oldestShown(page, chat.chatId);
      if (now < oldest) {
        scrollPages++;
        idle = 0;
      } else if (++idle >= 3 && (await page.$eval(scroller, (el) => el.scrollTop)) === 0) {
        nudges++;
        idle = 0;
        await page.mouse.wheel(0, 400);
        await page.waitForTimeout(80);
      }
      oldest = Math.min(oldest, now);
    }
    const t0 = Date.now();
    await page.$eval(scroller, (el) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.waitForFunction(
      ([s, size]) => [...document.querySelectorAll(`${s} [data-testid="message-body"]`)].some((e) => (e.textContent ?? '').startsWith(`message ${size} of`)),
      [panel(chat.chatId), chat.size] as const,
      { timeout: 10_000, polling: 'raf' },
    );
    const backToBottomMs = Date.now() - t0;
    await page.waitForTimeout(200);
    const nodesBackAtBottom = await count();
    const jsHeapMb = await page.evaluate(() => {
      const mem = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
      return mem ? mem.usedJSHeapSize / 2 ** 20 : Number.NaN;
    });
    return {
      chatSize: chat.size,
      openToPaintMs,
      nodesAfterOpen,
      domElementsAfterOpen,
      scrollPages,
      topNudges: nudges,
      oldestReached: oldest,
      maxNodesWhileScrolling: maxNodes,
      nodesBackAtBottom,
      backToBottomMs,
      jsHeapMb,
    };
  } finally {
    await browser.close();
  }
}
