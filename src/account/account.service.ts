import { Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import type { ExportLine } from '@nest-chat/protocol';
import { messageView } from '../common/dto/message-view';
import { ConversationViews } from '../conversations/conversation-views';
import { AccountErasures, ERASURE_HOLD_MS } from './account-erasures';
import { AuthService } from '../identity/auth.service';
import type { AuthenticatedUser } from '../identity/authenticated-user';
import { UsersService } from '../identity/users.service';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { UsersRepository } from '../persistence/users/users.repository';

/** The account as a whole: deleting it, and exporting what it holds. */
@Injectable()
export class AccountService {
  private readonly logger = new Logger(AccountService.name);

  constructor(
    private readonly auth: AuthService,
    private readonly erasures: AccountErasures,
    private readonly users: UsersService,
    private readonly usersRepository: UsersRepository,
    private readonly conversations: ConversationViews,
    private readonly messagesRepository: MessagesRepository,
  ) {}

  /**
   * Deletes the account, with its password asked again. It is marked deleted first (no sign-in,
   * refresh or new conversation with it from then on); then every session ends (its sockets are
   * dropped everywhere), every message it sent is deleted as by `DELETE /messages/:id`, and it
   * leaves its groups (an owner hands over first). A failure half-way is finished by a sweep.
   */
  async delete(user: AuthenticatedUser, password: string): Promise<void> {
    await this.auth.confirmPassword(user, password);
    const id = new Types.ObjectId(user.id);
    const now = new Date();
    const marked = await this.usersRepository.markDeleted(
      id,
      now,
      new Date(now.getTime() + ERASURE_HOLD_MS),
    );
    if (!marked) return; // a deletion already under way (a second request at once) erases it
    const messages = await this.erasures.erase(id);
    this.logger.log({ userId: user.id, messages }, 'Account deleted');
  }

  /**
   * Everything the account holds, one JSON object per line: the profile, each conversation as the
   * user sees it, each message the user sent (oldest first). Read as it is written.
   */
  async *export(user: AuthenticatedUser): AsyncGenerator<string> {
    const line = (value: ExportLine<Date>): string => `${JSON.stringify(value)}\n`;
    yield line({ type: 'user', user: await this.users.getById(user.id) });
    for await (const conversation of this.conversations.viewsOf(user.id)) {
      yield line({ type: 'conversation', conversation });
    }
    for await (const message of this.messagesRepository.allBy(new Types.ObjectId(user.id))) {
      yield line({ type: 'message', message: messageView(message) });
    }
  }
}
