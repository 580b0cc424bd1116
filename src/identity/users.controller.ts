import { Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { BlocksService } from './blocks.service';
import { AuthenticatedUser } from './authenticated-user';
import { CurrentUser } from './current-user.decorator';
import { SearchUsersDto } from './dto/search-users.dto';
import { UserDto } from './dto/user.dto';
import { UsersService } from './users.service';
import { KeyScope } from './route-access';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly blocks: BlocksService,
  ) {}

  /** Up to 20 users whose username starts with `q`, case-insensitively. */
  @Get()
  search(@Query() query: SearchUsersDto): Promise<UserDto[]> {
    return this.users.search(query.q);
  }

  @KeyScope('events:read')
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser): Promise<UserDto> {
    return this.users.getById(user.id);
  }

  /** The users the caller blocked, latest first. */
  @Get('me/blocks')
  blocked(@CurrentUser() user: AuthenticatedUser): Promise<UserDto[]> {
    return this.blocks.list(user.id);
  }

  /**
   * Blocks a user: they can no longer open or send into a direct conversation with the caller
   * (FORBIDDEN), add the caller to a group, or see the caller's presence; the caller stops
   * receiving their typing. Group messages still flow. Repeating it changes nothing.
   */
  @ApiNoContentResponse({ description: 'Blocked (or already blocked).' })
  @Put(':id/block')
  @HttpCode(204)
  async block(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<void> {
    await this.blocks.set(user.id, id, true);
  }

  /** Unblocks a user; unblocking one who is not blocked changes nothing. */
  @ApiNoContentResponse({ description: 'Unblocked (or was not blocked).' })
  @Delete(':id/block')
  @HttpCode(204)
  async unblock(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<void> {
    await this.blocks.set(user.id, id, false);
  }

  @KeyScope('events:read')
  @Get(':id')
  get(@Param('id') id: string): Promise<UserDto> {
    return this.users.getById(id);
  }
}
