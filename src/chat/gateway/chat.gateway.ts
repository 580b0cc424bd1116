import { Logger, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { ConfigService } from '@nestjs/config';
import { DrainService } from '../../common/drain.service';
import { AppError } from '../../common/errors/app-error';
import { describeError } from '../../common/errors/describe-error';
import { WsErrorFilter } from '../../common/filters/ws-error.filter';
import { clientAddress, trustedProxies, type TrustedProxies } from '../../common/client-address';
import { guardPackets, type PacketLimits } from '../../common/packet-budget';
import { createValidationPipe } from '../../common/pipes/validation.pipe';
import { ReadPointersService } from '../../conversations/read-pointers.service';
import type { ChatSettings } from '../chat.settings';
import type { CoreSettings } from '../../config/core.settings';
import { AuthService } from '../../identity/auth.service';
import { FailedAuthentications } from '../../identity/failed-authentications';
import { MetricsService } from '../../metrics/metrics.service';
import { PresenceService } from '../../presence/presence.service';
import { UserRateLimiter } from '../../rate-limit/user-rate-limiter';
import { ChatBroadcaster } from '../../realtime/chat-broadcaster';
import { userRoom } from '../../realtime/user-room';
import type {
  Ack,
  ChatNamespace,
  ChatSocket,
  ChangesPage,
  MessagePage,
  SendResult,
} from '../../realtime/realtime.events';
import { DeleteMessageDto, EditMessageDto } from '../dto/edit-message.dto';
import type { MessageDto } from '../../common/dto/message.dto';
import { ReadDto } from '../dto/read.dto';
import { SendMessageDto } from '../dto/send-message.dto';
import { SyncDto } from '../dto/sync.dto';
import { TypingDto } from '../dto/typing.dto';
import { DeliveredDto } from '../dto/delivered.dto';
import { ChangeFeed } from '../../conversations/change-feed';
import { ChangesDto } from '../../conversations/dto/changes-query.dto';
import { MessageHistory } from '../history/message-history';
import { MessagesService } from '../messages.service';
import { ReactionDto } from '../dto/reaction.dto';
import { ReactionsService } from '../reactions/reactions.service';
import { TypingService } from './typing.service';
import { AuthRefreshDto } from '../dto/auth-refresh.dto';
import { SocketSessions } from './socket-sessions';

// Applied to the payload only: a gateway-wide pipe would also try to validate the socket.
const payload = createValidationPipe();

/** socket.io `/chat`: thin; authentication at the handshake, the work in the services. */
@WebSocketGateway({ namespace: '/chat' })
@UseFilters(WsErrorFilter)
export class ChatGateway
  implements
    OnGatewayInit<ChatNamespace>,
    OnGatewayConnection<ChatSocket>,
    OnGatewayDisconnect<ChatSocket>
{
  private readonly logger = new Logger(ChatGateway.name);
  private readonly maxConnectionsPerUser: number;
  private readonly packetLimits: PacketLimits;
  private readonly trustedProxies: TrustedProxies;

  constructor(
    private readonly auth: AuthService,
    private readonly messages: MessagesService,
    private readonly reading: MessageHistory,
    private readonly reactions: ReactionsService,
    private readonly readPointers: ReadPointersService,
    private readonly feed: ChangeFeed,
    private readonly typingIndicators: TypingService,
    private readonly presence: PresenceService,
    private readonly broadcaster: ChatBroadcaster,
    private readonly drain: DrainService,
    private readonly metrics: MetricsService,
    private readonly rateLimiter: UserRateLimiter,
    private readonly socketSessions: SocketSessions,
    private readonly failures: FailedAuthentications,
    config: ConfigService<ChatSettings & CoreSettings, true>,
  ) {
    this.maxConnectionsPerUser = config.get('SOCKET_MAX_CONNECTIONS_PER_USER', { infer: true });
    this.trustedProxies = trustedProxies(config.get('TRUST_PROXY', { infer: true }));
    this.packetLimits = {
      perSecond: config.get('SOCKET_PACKETS_PER_SECOND', { infer: true }),
      invalidBeforeDisconnect: config.get('SOCKET_INVALID_PACKETS', { infer: true }),
    };
  }

  afterInit(namespace: ChatNamespace): void {
    this.broadcaster.attach(namespace);
    this.socketSessions.attach(namespace);
    // Nest guards do not run on connect, so the handshake is checked as socket.io middleware.
    namespace.use((socket, next) => {
      guardPackets(socket, this.packetLimits);
      this.admit(socket).then(
        () => next(),
        (error: unknown) => {
          const { code, unexpected, retryAfter } = describeError(error);
          if (unexpected) this.logger.error({ err: error }, 'Socket handshake failed');
          const known = code === 'UNAVAILABLE' || code === 'RATE_LIMITED';
          // socket.io hands `data` to the client's connect_error as `error.data`.
          next(
            Object.assign(
              new Error(known ? code : 'UNAUTHORIZED'),
              retryAfter && { data: { retryAfter } },
            ),
          );
        },
      );
    });
  }

  /** The handshake: a valid token, a server that is not shutting down, and a free connection slot. */
  private async admit(socket: ChatSocket): Promise<void> {
    if (this.drain.isDraining) throw new AppError('UNAVAILABLE', 'The server is shutting down');
    const token: unknown = (socket.handshake.auth as Record<string, unknown>).token;
    const address = clientAddress(socket.request, this.trustedProxies);
    const { user, expiresAt } = await this.failures.guard(address, () => this.auth.verify(token));
    if (!(await this.reserve(user.id, socket))) {
      throw new AppError('RATE_LIMITED', 'Too many open connections for this user', 5);
    }
    socket.data.user = user;
    socket.data.expiresAt = expiresAt.getTime();
  }

  /**
   * Takes one of the user's connection slots (counted and recorded in one step, so handshakes at
   * once cannot all pass), given back if the handshake never becomes a connection. Like the rate
   * limits, it fails open when its store (Redis) is unreachable: chat stays up, uncapped.
   */
  private async reserve(userId: string, socket: ChatSocket): Promise<boolean> {
    let reserved: boolean;
    try {
      reserved = await this.presence.reserve(userId, socket.id, this.maxConnectionsPerUser);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not reserve a connection slot; admitting the socket');
      return true;
    }
    if (reserved) {
      socket.conn.once('close', () => {
        if (socket.data.connected) return; // handleDisconnect gives it back
        this.presence.disconnected(userId, socket.id).catch(() => undefined);
      });
    }
    return reserved;
  }

  async handleConnection(socket: ChatSocket): Promise<void> {
    this.metrics.connectedSockets.inc();
    const { id: userId } = socket.data.user;
    this.logger.debug({ socketId: socket.id, userId }, 'Socket connected');
    socket.data.connected = true;
    await socket.join(userRoom(userId));
    await this.socketSessions.watch(socket);
    // Gone meanwhile (its session had ended, or the client left): its disconnect already gave its
    // slot back, which presence must not take again after it.
    if (socket.disconnected) return;
    try {
      // The new socket learns who is online now; later changes arrive as `presence` events.
      for (const event of await this.presence.connected(userId, socket.id)) {
        socket.emit('presence', event);
      }
    } catch (error) {
      this.logger.warn({ err: error, socketId: socket.id }, 'Presence on connect failed');
    }
  }

  async handleDisconnect(socket: ChatSocket): Promise<void> {
    this.metrics.connectedSockets.dec();
    this.socketSessions.forget(socket);
    this.logger.debug({ socketId: socket.id, userId: socket.data.user.id }, 'Socket disconnected');
    try {
      await this.presence.disconnected(socket.data.user.id, socket.id);
    } catch (error) {
      this.logger.warn({ err: error, socketId: socket.id }, 'Presence on disconnect failed');
    }
  }

  @SubscribeMessage('message:send')
  async send(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: SendMessageDto,
  ): Promise<Ack<SendResult>> {
    return { ok: true, ...(await this.messages.send(socket.data.user, dto)) };
  }

  @SubscribeMessage('message:edit')
  async edit(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: EditMessageDto,
  ): Promise<Ack<{ message: MessageDto }>> {
    await this.countEvent(socket);
    return {
      ok: true,
      message: await this.messages.edit(socket.data.user, dto.messageId, dto.body),
    };
  }

  @SubscribeMessage('message:delete')
  async delete(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: DeleteMessageDto,
  ): Promise<Ack<{ message: MessageDto }>> {
    await this.countEvent(socket);
    return { ok: true, message: await this.messages.delete(socket.data.user, dto.messageId) };
  }

  @SubscribeMessage('reaction')
  async react(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: ReactionDto,
  ): Promise<Ack<{ message: MessageDto }>> {
    await this.countEvent(socket);
    const { messageId, emoji, on } = dto;
    return {
      ok: true,
      message: await this.reactions.react(socket.data.user, messageId, emoji, on),
    };
  }

  @SubscribeMessage('read')
  async read(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: ReadDto,
  ): Promise<Ack> {
    await this.countEvent(socket);
    await this.readPointers.markRead(dto.conversationId, socket.data.user.id, dto.seq);
    return { ok: true };
  }

  @SubscribeMessage('delivered')
  async delivered(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: DeliveredDto,
  ): Promise<Ack> {
    await this.countEvent(socket);
    await this.readPointers.markDelivered(dto.conversationId, socket.data.user.id, dto.seq);
    return { ok: true };
  }

  @SubscribeMessage('sync')
  async sync(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: SyncDto,
  ): Promise<Ack<MessagePage>> {
    await this.countEvent(socket);
    const gone = (): boolean => socket.disconnected;
    return { ok: true, ...(await this.reading.sync(socket.data.user, dto, gone)) };
  }

  @SubscribeMessage('changes')
  async changes(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: ChangesDto,
  ): Promise<Ack<ChangesPage>> {
    await this.countEvent(socket);
    const { conversationId, afterRev, limit } = dto;
    return {
      ok: true,
      ...(await this.feed.page(
        socket.data.user.id,
        conversationId,
        afterRev,
        limit,
        () => socket.disconnected,
      )),
    };
  }

  @SubscribeMessage('typing')
  async typing(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: TypingDto,
  ): Promise<Ack> {
    await this.countEvent(socket);
    await this.typingIndicators.relay(socket.data.user, dto.conversationId, dto.typing);
    return { ok: true };
  }

  /** A fresh access token keeps the socket open past its current token's end. */
  @SubscribeMessage('auth:refresh')
  async refreshAuth(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: AuthRefreshDto,
  ): Promise<Ack<{ expiresIn: number }>> {
    await this.countEvent(socket);
    return { ok: true, expiresIn: await this.socketSessions.renew(socket, dto.accessToken) };
  }

  /** Sends have their own limit (in MessagesService); every other event counts here. */
  private countEvent(socket: ChatSocket): Promise<void> {
    return this.rateLimiter.consume(socket.data.user.id, 'events', 'socket');
  }
}
