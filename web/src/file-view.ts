import type { ChatClient, FileInfo } from '@nest-chat/client';
import { h, on } from './dom.js';

const SHOWN_INLINE = /^image\/(png|jpeg|gif|webp)$/;

/** Object URLs of files and thumbnails fetched with the token (an <img> cannot send one). */
const fetched = new Map<string, Promise<string>>();

function objectUrl(chat: ChatClient, file: FileInfo, thumbnail: boolean): Promise<string> {
  const key = `${file.id}${thumbnail ? ':thumbnail' : ''}`;
  let url = fetched.get(key);
  if (!url) {
    url = (async () => {
      const response = await fetch(chat.api.fileUrl(file.id, thumbnail), {
        headers: { authorization: `Bearer ${chat.accessToken ?? ''}` },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return URL.createObjectURL(await response.blob());
    })();
    url.catch(() => fetched.delete(key)); // tried again next time
    fetched.set(key, url);
  }
  return url;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A message's files: images as thumbnails (click: the full image), others as a named link. */
export function renderFiles(chat: ChatClient, files: readonly FileInfo[]): HTMLElement | null {
  if (files.length === 0) return null;
  const list = h('div', { class: 'attachments' });
  for (const file of files) list.append(renderFile(chat, file));
  return list;
}

function renderFile(chat: ChatClient, file: FileInfo): HTMLElement {
  if (SHOWN_INLINE.test(file.contentType) && file.width && file.height) {
    const scale = Math.min(1, 320 / Math.max(file.width, file.height));
    const image = h('img', {
      alt: file.name,
      width: Math.round(file.width * scale),
      height: Math.round(file.height * scale),
    });
    void objectUrl(chat, file, true).then(
      (url) => (image.src = url),
      () => undefined,
    );
    const button = h(
      'button',
      { type: 'button', class: 'attachment image', title: file.name },
      image,
    );
    on(button, 'click', () => void showFull(chat, file));
    return button;
  }
  const link = h(
    'button',
    { type: 'button', class: 'attachment file' },
    '📄 ',
    h('span', { class: 'name' }, file.name),
    h('span', { class: 'size' }, ` (${formatSize(file.size)})`),
  );
  on(link, 'click', () => void download(chat, file));
  return link;
}

/** The full image over the page; a click or Escape closes it. */
async function showFull(chat: ChatClient, file: FileInfo): Promise<void> {
  const image = h('img', { alt: file.name, class: 'full' });
  const dialog = h('dialog', { class: 'viewer', 'aria-label': file.name }, image);
  on(dialog, 'click', () => dialog.close());
  on(dialog, 'close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  image.src = await objectUrl(chat, file, false);
}

async function download(chat: ChatClient, file: FileInfo): Promise<void> {
  const anchor = h('a', { href: await objectUrl(chat, file, false), download: file.name });
  anchor.click();
}
