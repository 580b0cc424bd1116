import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthService } from './auth.service';
import { AuthResultDto } from './dto/auth-result.dto';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { Public } from './public.decorator';

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Creates an account and signs it in. 409 CONFLICT when the username is taken. */
  @ApiConflictResponse({ description: 'That username is taken.' })
  @Post('register')
  register(@Body() dto: RegisterDto): Promise<AuthResultDto> {
    return this.auth.register(dto);
  }

  /** 401 with the same message whether the user is unknown or the password is wrong. */
  @ApiUnauthorizedResponse({ description: 'Wrong username or password (one message for both).' })
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto): Promise<AuthResultDto> {
    return this.auth.login(dto);
  }
}
