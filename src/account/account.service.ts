import { Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import type { ExportLine } from '@nest-chat/protocol';
import { messageView } from '../common/dto/message-view';
import { MessagesService } from '../chat/messages.service';
import { ConversationsService } from '../conversations/conversations.service';
import { AuthService } from '../identity/auth.service';
import type { AuthenticatedUser } from '../identity/authenticated-user';
import { SessionsService } from '../identity/sessions.service';
import { UsersService } from '../identity/users.service';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { UsersRepository } from '../persistence/users/users.repository';

/** The account as a whole: deleting it, and exporting what it holds. */
@Injectable()
export class AccountService {
  private readonly logger = new Logger(AccountService.name);

  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly usersRepository: UsersRepository,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly messagesRepository: MessagesRepository,
  ) {}

  /**
   * Deletes the account, with its password asked again: every session ends (its sockets are
   * dropped everywhere), every message it sent is deleted as by `DELETE /messages/:id`, it leaves
   * its groups (an owner hands over first), and it is marked deleted. Each step can be repeated,
   * so a failure half-way is put right by trying again (until the last step, it can still sign in).
   */
  async delete(user: AuthenticatedUser, password: string): Promise<void> {
    await this.auth.confirmPassword(user, password);
    const id = new Types.ObjectId(user.id);
    await this.sessions.endAll(id, 'account-deleted');
    const erased = await this.messages.eraseAllBy(user.id);
    await this.conversations.leaveAll(user.id);
    await this.usersRepository.markDeleted(id, new Date());
    // A send that was under way as the sessions ended: stored after the first pass.
    const late = await this.messages.eraseAllBy(user.id);
    this.logger.log({ userId: user.id, messages: erased + late }, 'Account deleted');
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
