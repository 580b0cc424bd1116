import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiDefaultResponse, ApiTags } from '@nestjs/swagger';
import { AuthService } from './auth.service';
import { AuthResultDto } from './dto/auth-result.dto';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { Public } from './public.decorator';
import { ErrorResponseDto } from '../common/errors/error-response.dto';

@ApiTags('auth')
@Public()
@ApiDefaultResponse({ type: ErrorResponseDto, description: 'The contract error body' })
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Creates an account and signs it in. 409 CONFLICT when the username is taken. */
  @Post('register')
  register(@Body() dto: RegisterDto): Promise<AuthResultDto> {
    return this.auth.register(dto);
  }

  /** 401 with the same message whether the user is unknown or the password is wrong. */
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto): Promise<AuthResultDto> {
    return this.auth.login(dto);
  }
}
