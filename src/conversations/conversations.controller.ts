import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser } from '../identity/authenticated-user';
import { CurrentUser } from '../identity/current-user.decorator';
import { ChangeFeed } from './change-feed';
import { ConversationViews } from './conversation-views';
import { ConversationsService } from './conversations.service';
import { GroupMembers } from './group-members';
import { ChangesPageDto } from './dto/change.dto';
import { ChangesQueryDto } from './dto/changes-query.dto';
import { RenameDto } from './dto/rename.dto';
import { SetRoleDto } from './dto/set-role.dto';
import { ConversationDto } from './dto/conversation.dto';
import { CreateGroupDto } from './dto/create-group.dto';
import { ListConversationsDto } from './dto/list-conversations.dto';
import { MarkReadDto } from './dto/mark-read.dto';
import { UserIdDto } from './dto/user-id.dto';
import { MembershipsService } from './memberships.service';
import { ReadReceiptDto } from './dto/read-receipt.dto';
import { ReadPointersService } from './read-pointers.service';
import { KeyScope } from '../identity/route-access';

/** Every route answers 404 NOT_FOUND to a non-member, exactly as for a conversation that does not exist. */
@ApiTags('conversations')
@ApiBearerAuth()
@Controller('conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly views: ConversationViews,
    private readonly groups: GroupMembers,
    private readonly readPointers: ReadPointersService,
    private readonly feed: ChangeFeed,
    private readonly memberships: MembershipsService,
  ) {}

  /** The caller's conversations, latest activity first. */
  @KeyScope('events:read')
  @Get()
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListConversationsDto,
  ): Promise<ConversationDto[]> {
    return this.views.list(user.id, query);
  }

  /** Creates a group; the caller is a member (and its creator). */
  @ApiNotFoundResponse({ description: 'A member id names no user.' })
  @Post()
  createGroup(
    @CurrentUser() user: AuthenticatedUser,
    @Body() dto: CreateGroupDto,
  ): Promise<ConversationDto> {
    return this.conversations.createGroup(user.id, dto);
  }

  /** The direct conversation with `userId`, created on first call; 400 with oneself. */
  @ApiNotFoundResponse({ description: 'No such user.' })
  @Post('direct')
  @HttpCode(200)
  async direct(
    @CurrentUser() user: AuthenticatedUser,
    @Body() dto: UserIdDto,
  ): Promise<ConversationDto> {
    const conversation = await this.conversations.direct(user.id, dto.userId);
    return this.views.view(conversation, user.id);
  }

  @KeyScope('events:read')
  @Get(':id')
  get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<ConversationDto> {
    return this.views.get(id, user.id);
  }

  /** A group's admins or owner rename it; members get `conversation:updated`. The same title again is a no-op. */
  @ApiForbiddenResponse({ description: "Only the group's admins or owner may rename it." })
  @Patch(':id')
  rename(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: RenameDto,
  ): Promise<ConversationDto> {
    return this.groups.rename(user.id, id, dto.title);
  }

  /**
   * Every change after `afterRev` (edits, deletes, members, title) in rev order, each with the
   * message as it left it, or the conversation's shared state as it is now; page on from the last rev while `hasMore`. A member who was
   * removed gets 404, as a stranger does.
   */
  @KeyScope('events:read')
  @Get(':id/changes')
  changes(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Query() query: ChangesQueryDto,
  ): Promise<ChangesPageDto> {
    return this.feed.page(user.id, id, query.afterRev, query.limit);
  }

  /** A group's admins or owner add a user, who gets `conversation:new`. Adding a member again is a no-op. */
  @ApiForbiddenResponse({ description: "Only the group's admins or owner may add members." })
  @Post(':id/members')
  @HttpCode(204)
  addMember(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: UserIdDto,
  ): Promise<void> {
    return this.groups.addMember(user.id, id, dto.userId);
  }

  /**
   * A member leaves (their own id; the owner only after handing ownership over, unless alone);
   * admins remove members, the owner anyone; 403 otherwise.
   */
  @ApiForbiddenResponse({ description: 'Not allowed to remove that member.' })
  @Delete(':id/members/:userId')
  @HttpCode(204)
  removeMember(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Param('userId') userId: string,
  ): Promise<void> {
    return this.groups.removeMember(user.id, id, userId);
  }

  /**
   * The owner gives a member a role (`admin`, `member`, or `owner` to hand ownership over); members
   * get `conversation:updated` (kind `member:role`). The same role again is a no-op.
   */
  @ApiForbiddenResponse({ description: "Only the group's owner may change roles." })
  @Patch(':id/members/:userId')
  setRole(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Param('userId') userId: string,
    @Body() dto: SetRoleDto,
  ): Promise<ConversationDto> {
    return this.groups.setRole(user.id, id, userId, dto.role);
  }

  /** Every member's read and delivered pointers (the same list as the view's `reads`). */
  @Get(':id/reads')
  async reads(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
  ): Promise<ReadReceiptDto[]> {
    const conversation = await this.memberships.requireMember(id, user.id);
    return this.readPointers.reads(conversation._id);
  }

  /** Moves the caller's read pointer forward to `seq` (never backwards); every member gets `read`. */
  @Post(':id/read')
  @HttpCode(204)
  markRead(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: MarkReadDto,
  ): Promise<void> {
    return this.readPointers.markRead(id, user.id, dto.seq);
  }
}
