import { Logger, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { WsErrorFilter } from '../common/filters/ws-error.filter';
import { describeError } from '../common/errors/describe-error';
import { createValidationPipe } from '../common/pipes/validation.pipe';
import { AuthService } from '../identity/auth.service';
import { ChatBroadcaster, userRoom } from '../realtime/chat-broadcaster';
import type { Ack, ChatNamespace, ChatSocket, MessagePage, SendResult } from './chat.events';
import { SendMessageDto } from './dto/send-message.dto';
import { SyncDto } from './dto/sync.dto';
import { MessagesService } from './messages.service';

// Applied to the payload only: a gateway-wide pipe would also try to validate the socket.
const payload = createValidationPipe();

/** socket.io `/chat`: thin; authentication at the handshake, the work in MessagesService. */
@WebSocketGateway({ namespace: '/chat' })
@UseFilters(WsErrorFilter)
export class ChatGateway implements OnGatewayInit<ChatNamespace>, OnGatewayConnection<ChatSocket> {
  private readonly logger = new Logger(ChatGateway.name);

  constructor(
    private readonly auth: AuthService,
    private readonly messages: MessagesService,
    private readonly broadcaster: ChatBroadcaster,
  ) {}

  afterInit(namespace: ChatNamespace): void {
    this.broadcaster.attach(namespace);
    // Nest guards do not run on connect, so the handshake is checked as socket.io middleware.
    namespace.use((socket, next) => {
      const token: unknown = (socket.handshake.auth as Record<string, unknown>).token;
      this.auth.authenticate(token).then(
        (user) => {
          socket.data.user = user;
          next();
        },
        (error: unknown) => {
          const { code, unexpected } = describeError(error);
          if (unexpected) this.logger.error({ err: error }, 'Socket authentication failed');
          next(new Error(code === 'UNAVAILABLE' ? code : 'UNAUTHORIZED'));
        },
      );
    });
  }

  async handleConnection(socket: ChatSocket): Promise<void> {
    await socket.join(userRoom(socket.data.user.id));
  }

  @SubscribeMessage('message:send')
  async send(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: SendMessageDto,
  ): Promise<Ack<SendResult>> {
    return { ok: true, ...(await this.messages.send(socket.data.user, dto)) };
  }

  @SubscribeMessage('sync')
  async sync(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(payload) dto: SyncDto,
  ): Promise<Ack<MessagePage>> {
    return { ok: true, ...(await this.messages.sync(socket.data.user, dto)) };
  }
}
