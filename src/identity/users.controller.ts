import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser } from './authenticated-user';
import { CurrentUser } from './current-user.decorator';
import { SearchUsersDto } from './dto/search-users.dto';
import { UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Up to 20 users whose username starts with `q`, case-insensitively. */
  @Get()
  search(@Query() query: SearchUsersDto): Promise<UserDto[]> {
    return this.users.search(query.q);
  }

  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser): Promise<UserDto> {
    return this.users.getById(user.id);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<UserDto> {
    return this.users.getById(id);
  }
}
