import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { DEFAULT_PAGE_SIZE } from '../../common/dto/conversation-page.dto';
import { messageView } from '../../common/dto/message-view';
import { PageReads } from '../../common/page-reads';
import { MembershipsService } from '../../conversations/memberships.service';
import { AuthenticatedUser } from '../../identity/authenticated-user';
import { MessagesRepository, type SeqRange } from '../../persistence/messages/messages.repository';
import type { MessagePage } from '../../realtime/realtime.events';
import { HistoryQueryDto } from '../dto/history-query.dto';
import { SyncDto } from '../dto/sync.dto';
import { wantedSeqs } from './wanted-seqs';

/** Reading messages: history pages (REST) and sync (socket.io), members only. */
@Injectable()
export class MessageHistory {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly memberships: MembershipsService,
    /** Pages scan on some databases (FerretDB): never more at once than PAGE_READS_IN_FLIGHT. */
    private readonly pages: PageReads,
  ) {}

  async history(
    user: AuthenticatedUser,
    conversationId: string,
    query: HistoryQueryDto,
  ): Promise<MessagePage> {
    const conversation = await this.memberships.requireMember(conversationId, user.id);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const seq: SeqRange = {};
    if (query.afterSeq !== undefined) seq.$gt = query.afterSeq;
    if (query.beforeSeq !== undefined) seq.$lt = query.beforeSeq;
    // With afterSeq the page reads forwards from it; otherwise backwards from the newest.
    return this.page(user.id, conversation._id, seq, limit, query.afterSeq !== undefined ? 1 : -1);
  }

  /**
   * Messages after `afterSeq` (below `beforeSeq`), ascending, less the runs the client holds
   * (`except`): one read of the gaps it lacks, index ranges on MongoDB.
   */
  async sync(user: AuthenticatedUser, dto: SyncDto, gone?: () => boolean): Promise<MessagePage> {
    const conversation = await this.memberships.requireMember(dto.conversationId, user.id);
    const seqs = wantedSeqs(dto.afterSeq, dto.beforeSeq, dto.except);
    // Nothing between what the client holds needs no read.
    if (seqs.length === 0) return { items: [], hasMore: false };
    return this.page(user.id, conversation._id, seqs, dto.limit ?? DEFAULT_PAGE_SIZE, 1, gone);
  }

  /**
   * A page of a conversation's messages; the same page asked for at once is read once. `userId`
   * asks, and is held to its share of the reads.
   */
  private page(
    userId: string,
    conversationId: Types.ObjectId,
    seq: SeqRange | SeqRange[],
    limit: number,
    direction: 1 | -1,
    gone?: () => boolean,
  ): Promise<MessagePage> {
    const ranges = (Array.isArray(seq) ? seq : [seq]).map((r) => `${r.$gt}-${r.$lt}`).join(',');
    const key = `${conversationId.toHexString()}:${ranges}:${limit}:${direction}`;
    return this.pages.run(
      key,
      async () => {
        const found = await this.messages.page(conversationId, seq, limit + 1, direction);
        const hasMore = found.length > limit;
        const items = found.slice(0, limit);
        if (direction === -1) items.reverse();
        return { items: items.map((message) => messageView(message)), hasMore };
      },
      gone,
      userId,
    );
  }
}
