import sharp from 'sharp';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { startCutProxy, type CutProxy } from '../support/cut-proxy';
import { startServer, type Running } from '../support/processes';
import { uniqueName, waitFor } from '../support/test-app';

const ARTIFACTS = join(__dirname, '..', '..', 'artifacts');
const PASSWORD = 'correct horse battery';

/**
 * The web page at `/` in headless Chromium against the built server (dist/main.js): two people,
 * one on a desktop window and one on a phone-sized screen, chat with each other.
 */
describe('web chat page (headless Chromium)', () => {
  let server: Running;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer({}), launchChromium()]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.stop();
  });

  async function openPage(
    viewport: { width: number; height: number },
    url = server.url,
  ): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error; // an uncaught error in the page fails the test
    });
    await page.goto(url);
    return page;
  }

  /** The page's access token (its session is in localStorage). */
  const tokenOf = async (page: Page): Promise<string | null> =>
    (
      await page.evaluate<{ accessToken: string } | null>(
        "JSON.parse(localStorage.getItem('nest-chat.session') ?? 'null')",
      )
    )?.accessToken ?? null;

  /** A REST call as the page's signed-in user. */
  async function asUser(page: Page, method: string, path: string, body?: object) {
    const token = await tokenOf(page);
    const response = await fetch(`${server.url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
    return response.status === 204 ? null : ((await response.json()) as { id: string });
  }

  async function register(page: Page, username: string, displayName: string): Promise<void> {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Display name').fill(displayName);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('.sidebar header strong', { hasText: displayName }).waitFor();
    await page.locator('.state', { hasText: 'online' }).waitFor();
  }

  const message = (page: Page, text: string) =>
    page.locator('ol.messages:not(.pending) li.message', { hasText: text });
  /** The message whose own body has `text` (not one quoting it in a reply). */
  const byBody = (page: Page, text: string) =>
    page
      .locator('ol.messages:not(.pending) li.message')
      .filter({ has: page.locator(':scope > .body', { hasText: text }) });

  it('two people register, start a chat, talk live with typing and read receipts, and reload to history', async () => {
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    // The page keeps its own strict Content-Security-Policy beside the server-wide headers.
    const served = await fetch(server.url);
    expect(served.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-/);
    expect(served.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const desk = await openPage({ width: 1100, height: 720 });
    const phone = await openPage({ width: 390, height: 780 });
    await register(desk, alice, 'Alice');
    await register(phone, bob, 'Bob');

    // Bad input gets a clear error, and the page keeps working.
    await desk.getByRole('textbox', { name: 'Username' }).fill('nobody_by_that_name');
    await desk.getByRole('button', { name: 'Chat', exact: true }).click();
    await desk.getByRole('alert').filter({ hasText: 'No user is called' }).waitFor();

    // Alice opens the direct chat by username and writes first.
    await desk.getByRole('textbox', { name: 'Username' }).fill(bob);
    await desk.getByRole('button', { name: 'Chat', exact: true }).click();
    await desk.getByRole('heading', { name: 'Bob' }).waitFor();
    await desk.getByRole('textbox', { name: 'Message' }).fill('Hi Bob! <b>not bold</b>');
    await desk.keyboard.press('Enter');
    await message(desk, 'Hi Bob!').locator('.receipt', { hasText: 'sent' }).waitFor();

    // Bob sees the new conversation with one unread message, and opens it.
    const entry = phone.locator('.entry', { hasText: 'Alice' });
    await entry.locator('.unread', { hasText: '1' }).waitFor();
    await entry.click();
    await message(phone, 'Hi Bob! <b>not bold</b>').waitFor(); // text, never markup
    expect(await phone.locator('li.message b').count()).toBe(0);

    // Opening it read it: Alice's message shows as seen.
    await message(desk, 'Hi Bob!').locator('.receipt', { hasText: 'seen' }).waitFor();

    // Bob types: Alice sees the indicator; Bob sends: it arrives live and the indicator goes.
    await phone.getByRole('textbox', { name: 'Message' }).pressSequentially('Hello Al');
    await desk.locator('.typing', { hasText: 'Bob is typing…' }).waitFor();
    await phone.getByRole('textbox', { name: 'Message' }).pressSequentially('ice!');
    await phone.getByRole('button', { name: 'Send' }).click();
    await message(desk, 'Hello Alice!').waitFor();
    await desk.locator('.typing', { hasText: /^$/ }).waitFor();
    await expectPresence(desk, 'online');

    // Alice edits her message; Bob sees the edit.
    await message(desk, 'Hi Bob!').getByRole('button', { name: 'Edit' }).click();
    await desk.getByRole('textbox', { name: 'Edit message' }).fill('Hi Bob, edited');
    await desk.getByRole('button', { name: 'Save' }).click();
    await message(phone, 'Hi Bob, edited').locator('.meta', { hasText: 'edited' }).waitFor();

    mkdirSync(ARTIFACTS, { recursive: true });
    await desk.screenshot({ path: join(ARTIFACTS, 'chat-desktop.png') });
    await phone.screenshot({ path: join(ARTIFACTS, 'chat-phone.png') });

    // After a reload the session and the history are back, in order.
    await desk.reload();
    await desk.locator('.entry', { hasText: 'Bob' }).click();
    await message(desk, 'Hello Alice!').waitFor();
    const bodies = await desk
      .locator('ol.messages:not(.pending) li.message .body')
      .allTextContents();
    expect(bodies).toEqual(['Hi Bob, edited', 'Hello Alice!']);
    // Receipts survive the reload: Bob read Alice's message before it.
    await message(desk, 'Hi Bob, edited').locator('.receipt', { hasText: 'seen' }).waitFor();
  });

  it('stays signed in across tabs and reloads, and signing out ends the session in every tab', async () => {
    const page = await openPage({ width: 1000, height: 700 });
    await register(page, uniqueName('carol'), 'Carol');
    const token = await tokenOf(page);
    // A second tab of the same browser shares the session; a reload keeps it.
    const tab = await page.context().newPage();
    await tab.goto(server.url);
    await tab.locator('.sidebar header strong', { hasText: 'Carol' }).waitFor();
    await tab.reload();
    await tab.locator('.state', { hasText: 'online' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Create account' }).waitFor();
    // The other tab's socket was closed by the server: it is signed out too.
    await tab.getByRole('button', { name: 'Create account' }).waitFor();
    const refused = await fetch(`${server.url}/api/users/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(401);
    expect(await tokenOf(tab)).toBeNull();
  });

  it('the group panel: the owner makes an admin, who renames the group and removes a member', async () => {
    const desk = await openPage({ width: 1100, height: 720 });
    const other = await openPage({ width: 1100, height: 720 });
    await register(desk, uniqueName('dana'), 'Dana');
    await register(other, uniqueName('eve'), 'Eve');
    const eve = await asUser(other, 'GET', '/users/me');
    const frank = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: uniqueName('frank'),
        password: PASSWORD,
        displayName: 'Frank',
      }),
    }).then(async (response) => ((await response.json()) as { user: { id: string } }).user);
    await asUser(desk, 'POST', '/conversations', { title: 'Crew', memberIds: [eve?.id, frank.id] });

    await other.locator('.entry', { hasText: 'Crew' }).click();
    await other.locator('.group-panel summary').click();
    await other.locator('.group-panel li', { hasText: 'Frank' }).waitFor();
    // A plain member is offered no rename, add or remove.
    expect(await other.getByLabel('Group name').isVisible()).toBe(false);
    expect(await other.getByLabel('Add by username').isVisible()).toBe(false);
    expect(await other.locator('.group-panel li').getByRole('button').count()).toBe(0);
    await desk.locator('.entry', { hasText: 'Crew' }).click();
    await desk.locator('.group-panel summary').click();
    await desk.getByLabel('Role of Eve').selectOption('admin');
    // Eve, now an admin, gets the admin's controls (live, without a reload).
    await other.getByLabel('Group name').fill('Crew 2');
    await other.getByRole('button', { name: 'Rename' }).click();
    await desk.locator('.conversation h2', { hasText: 'Crew 2' }).waitFor();
    await other
      .locator('.group-panel li', { hasText: 'Frank' })
      .getByRole('button', { name: 'Remove' })
      .click();
    await desk.locator('.group-panel li', { hasText: 'Frank' }).waitFor({ state: 'detached' });
    // An admin cannot remove the owner: no such button is offered.
    expect(
      await other.locator('.group-panel li', { hasText: 'Dana' }).getByRole('button').count(),
    ).toBe(0);
  });

  it('two people exchange a photo and a PDF: a thumbnail that opens the full image, a named link', async () => {
    const desk = await openPage({ width: 1100, height: 720 });
    const other = await openPage({ width: 1100, height: 720 });
    const gina = uniqueName('gina');
    await register(desk, uniqueName('hal'), 'Hal');
    await register(other, gina, 'Gina');
    const photo = await sharp({
      create: { width: 800, height: 600, channels: 3, background: { r: 20, g: 120, b: 200 } },
    })
      .jpeg()
      .toBuffer();

    await desk.getByRole('textbox', { name: 'Username' }).fill(gina);
    await desk.getByRole('button', { name: 'Chat', exact: true }).click();
    await desk.getByRole('heading', { name: 'Gina' }).waitFor();
    await desk
      .getByLabel('Files to attach')
      .setInputFiles({ name: 'sea.jpg', mimeType: 'image/jpeg', buffer: photo });
    await desk.locator('.tray li.uploaded', { hasText: 'sea.jpg' }).waitFor();
    await desk.getByRole('textbox', { name: 'Message' }).fill('the sea');
    await desk.keyboard.press('Enter');

    await other.locator('.entry', { hasText: 'Hal' }).click();
    const thumbnail = other
      .locator('li.message', { hasText: 'the sea' })
      .locator('.attachment.image img');
    await thumbnail.and(other.locator('[src^="blob:"]')).waitFor();
    await thumbnail.click();
    const naturalWidth = "document.querySelector('dialog.viewer img.full')?.naturalWidth";
    await waitFor(async () => (await other.evaluate<number | undefined>(naturalWidth)) === 800);
    await other.keyboard.press('Escape');

    // A PDF with no text: a named link with its size, in the other window.
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    await other
      .getByLabel('Files to attach')
      .setInputFiles({ name: 'plan.pdf', mimeType: 'application/pdf', buffer: pdf });
    await other.locator('.tray li.uploaded', { hasText: 'plan.pdf' }).waitFor();
    await other.getByRole('button', { name: 'Send' }).click();
    await desk.locator('.attachment.file', { hasText: 'plan.pdf' }).waitFor();
    // After a reload the photo is still shown.
    await desk.reload();
    await desk.locator('.entry', { hasText: 'Gina' }).click();
    await desk.locator('.attachment.image img[src^="blob:"]').waitFor();
  });

  it('a page that was offline shows the edits, deletes, rename and removals made meanwhile, without a reload', async () => {
    // Playwright's setOffline leaves open WebSockets up (microsoft/playwright#4910): the phone
    // reaches the server through a proxy whose connections the test cuts instead.
    const proxy: CutProxy = await startCutProxy(server.url);
    try {
      const desk = await openPage({ width: 1100, height: 720 });
      const phone = await openPage({ width: 390, height: 780 }, proxy.url);
      const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
      await register(desk, alice, 'Alice');
      await register(phone, bob, 'Bob');
      const bobUser = await asUser(phone, 'GET', '/users/me');
      const carol = await fetch(`${server.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: uniqueName('carol'), password: PASSWORD }),
      }).then(async (response) => ((await response.json()) as { user: { id: string } }).user);
      const group = await asUser(desk, 'POST', '/conversations', {
        title: 'Plans',
        memberIds: [bobUser?.id, carol.id],
      });
      const groupId = group?.id ?? '';
      const first = await asUser(desk, 'POST', `/conversations/${groupId}/messages`, {
        body: 'first plan',
      });
      const second = await asUser(desk, 'POST', `/conversations/${groupId}/messages`, {
        body: 'second plan',
      });
      await phone.locator('.entry', { hasText: 'Plans' }).click();
      await message(phone, 'second plan').waitFor();
      await phone.evaluate('window.notReloaded = true'); // gone if the page reloads

      proxy.refuse(true);
      proxy.cut();
      await stateOf(phone, 'connecting');
      await asUser(desk, 'PATCH', `/messages/${first?.id}`, { body: 'first plan, revised' });
      await asUser(desk, 'DELETE', `/messages/${second?.id}`);
      await asUser(desk, 'DELETE', `/conversations/${groupId}/members/${carol.id}`);
      await asUser(desk, 'PATCH', `/conversations/${groupId}`, { title: 'Plans v2' });
      proxy.refuse(false);

      await stateOf(phone, 'online');
      await message(phone, 'first plan, revised').locator('.meta', { hasText: 'edited' }).waitFor();
      await message(phone, 'Message deleted').waitFor();
      expect(await message(phone, 'second plan').count()).toBe(0);
      await phone.getByRole('heading', { name: 'Plans v2' }).waitFor();
      await phone.locator('.entry', { hasText: 'Plans v2' }).waitFor({ state: 'attached' });

      // Removed while away: the conversation leaves the page.
      proxy.refuse(true);
      proxy.cut();
      await stateOf(phone, 'connecting');
      await asUser(desk, 'DELETE', `/conversations/${groupId}/members/${bobUser?.id}`);
      proxy.refuse(false);
      await stateOf(phone, 'online');
      await phone.locator('.entry', { hasText: 'Plans v2' }).waitFor({ state: 'detached' });
      expect(await phone.evaluate<boolean>("'notReloaded' in window")).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('two people mention, react, reply and pin; both see it live and after a reload', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    const desk = await openPage({ width: 1100, height: 720 });
    const other = await openPage({ width: 1100, height: 720 });
    await register(desk, alice, 'Alice');
    await register(other, bob, 'Bob');
    await desk.getByRole('textbox', { name: 'Username' }).fill(bob);
    await desk.getByRole('button', { name: 'Chat', exact: true }).click();
    await desk.getByRole('heading', { name: 'Bob' }).waitFor();

    // Alice mentions Bob by picking him from the members offered after "@".
    const box = desk.getByRole('textbox', { name: 'Message' });
    await box.pressSequentially(`Lunch @${bob.slice(0, 4)}`);
    await desk.getByRole('option', { name: `@${bob}` }).click();
    await box.pressSequentially('today?');
    await desk.keyboard.press('Enter');
    const lunch = `Lunch @${bob} today?`;
    await byBody(desk, lunch).waitFor();

    // Bob's list shows the mention; the message marks it.
    const entry = other.locator('.entry', { hasText: 'Alice' });
    await entry.getByLabel('1 mentions').waitFor();
    await entry.click();
    await byBody(other, lunch)
      .locator('mark.mention', { hasText: `@${bob}` })
      .waitFor();

    // Bob reacts from the picker: both see the count, and Bob's own chip is highlighted.
    await byBody(other, lunch).getByRole('button', { name: 'React', exact: true }).click();
    await other.getByRole('button', { name: 'React 👍' }).click();
    await byBody(other, lunch)
      .locator('.reaction[aria-pressed="true"]', { hasText: '👍 1' })
      .waitFor();
    await byBody(desk, lunch)
      .locator('.reaction[aria-pressed="false"]', { hasText: '👍 1' })
      .waitFor();
    // Alice adds hers by clicking the chip.
    await byBody(desk, lunch).locator('.reaction', { hasText: '👍 1' }).click();
    await byBody(other, lunch).locator('.reaction', { hasText: '👍 2' }).waitFor();

    // Bob replies: the quote shows above the reply on both sides.
    await byBody(other, lunch).getByRole('button', { name: 'Reply' }).click();
    await other.locator('.replying', { hasText: 'Replying to Alice' }).waitFor();
    await other.getByRole('textbox', { name: 'Message' }).fill('Yes, at noon');
    await other.keyboard.press('Enter');
    const reply = message(desk, 'Yes, at noon');
    await reply.locator('.quote', { hasText: 'Lunch' }).waitFor();
    // Clicking the quote goes to the message it answers.
    await reply.locator('.quote').click();
    await desk.locator('li.message.flash', { hasText: lunch }).waitFor();

    // Alice pins the question: both show it in the strip under the header.
    await byBody(desk, lunch).getByRole('button', { name: 'Pin', exact: true }).click();
    await other.locator('.pinned .pin', { hasText: 'Lunch' }).waitFor();
    await desk.locator('.pinned .pin', { hasText: 'Lunch' }).waitFor();
    await byBody(desk, lunch).getByRole('button', { name: 'Unpin', exact: true }).waitFor();

    mkdirSync(ARTIFACTS, { recursive: true });
    await other.screenshot({ path: join(ARTIFACTS, 'chat-rich.png') });

    // After a reload everything is still there.
    await other.reload();
    await other.locator('.entry', { hasText: 'Alice' }).click();
    await byBody(other, lunch)
      .locator('.reaction[aria-pressed="true"]', { hasText: '👍 2' })
      .waitFor();
    await message(other, 'Yes, at noon').locator('.quote', { hasText: 'Lunch' }).waitFor();
    await other.locator('.pinned .pin', { hasText: 'Lunch' }).waitFor();
    await byBody(other, lunch).locator('mark.mention').waitFor();
  });

  /** The connection state the page shows (hidden on a phone while a conversation is open). */
  const stateOf = (page: Page, state: string) =>
    page.locator(`.state[data-state="${state}"]`).waitFor({ state: 'attached' });

  async function expectPresence(page: Page, text: string): Promise<void> {
    await page.locator('.conversation .status', { hasText: text }).waitFor();
  }
});
