import type { ChatClient, FileInfo } from '@nest-chat/client';
import { h, on } from './dom.js';
import { describe } from './errors.js';
import { formatSize } from './file-view.js';

/** At most this many files go with one message (the server's limit). */
const MAX_FILES = 10;

interface Pending {
  element: HTMLLIElement;
  file: FileInfo | null;
  controller: AbortController;
}

/**
 * The files chosen for the next message: each uploads at once, with its progress shown, and can
 * be taken out; the message goes with those whose upload finished.
 */
export class AttachmentTray {
  readonly element = h('ul', { class: 'tray', 'aria-label': 'Attachments', hidden: true });
  private readonly pending = new Set<Pending>();

  constructor(
    private readonly chat: ChatClient,
    private readonly showError: (text: string) => void,
  ) {}

  add(files: Iterable<File>): void {
    for (const file of files) {
      if (this.pending.size >= MAX_FILES)
        return this.showError(`At most ${MAX_FILES} files per message.`);
      this.upload(file);
    }
  }

  /** Whether some upload is still under way. */
  get busy(): boolean {
    return [...this.pending].some((entry) => entry.file === null);
  }

  /** The finished uploads' ids, emptying the tray. */
  take(): string[] {
    const ids = [...this.pending].flatMap((entry) => (entry.file ? [entry.file.id] : []));
    for (const entry of this.pending) entry.element.remove();
    this.pending.clear();
    this.element.hidden = true;
    return ids;
  }

  private upload(file: File): void {
    const progress = h('progress', {
      max: file.size || 1,
      value: 0,
      'aria-label': `Uploading ${file.name}`,
    });
    const remove = h(
      'button',
      { type: 'button', class: 'link', 'aria-label': `Remove ${file.name}` },
      '✕',
    );
    const element = h(
      'li',
      { class: 'uploading' },
      h('span', { class: 'name' }, file.name),
      h('span', { class: 'size' }, ` ${formatSize(file.size)} `),
      progress,
      remove,
    );
    const entry: Pending = { element, file: null, controller: new AbortController() };
    this.pending.add(entry);
    this.element.append(element);
    this.element.hidden = false;
    on(remove, 'click', () => {
      entry.controller.abort();
      this.pending.delete(entry);
      element.remove();
      this.element.hidden = this.pending.size === 0;
    });
    this.chat
      .upload(file, {
        signal: entry.controller.signal,
        onProgress: (sent) => (progress.value = sent),
      })
      .then(
        (stored) => {
          entry.file = stored;
          element.className = 'uploaded';
          progress.value = progress.max;
        },
        (error: unknown) => {
          if (entry.controller.signal.aborted) return;
          this.pending.delete(entry);
          element.remove();
          this.element.hidden = this.pending.size === 0;
          this.showError(`${file.name}: ${describe(error)}`);
        },
      );
  }
}
