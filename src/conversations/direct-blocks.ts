import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { BlockChanged } from '../identity/block-events';
import { ConversationsRepository } from '../persistence/conversations/conversations.repository';
import { directKey } from './conversations.service';
import { MembershipsService } from './memberships.service';

/**
 * Keeps a pair's direct conversation in step with their blocks (`blockedBy`), where every send
 * looks, and drops the cached copies in every process so the next send sees it.
 */
@Injectable()
export class DirectBlocks {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly memberships: MembershipsService,
  ) {}

  // Errors reach the blocking request (Nest would log and swallow them by default).
  @OnEvent(BlockChanged.event, { promisify: true, suppressErrors: false })
  async changed({ blockerId, blockedId, on }: BlockChanged): Promise<void> {
    const key = directKey(blockerId, blockedId);
    const id = await this.conversations.setBlockedBy(key, blockerId, on);
    if (id) this.memberships.forget(id);
  }
}
