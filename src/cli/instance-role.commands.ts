import { Injectable } from '@nestjs/common';
import { Command, CommandRunner } from 'nest-commander';
import { UsersRepository } from '../persistence/users/users.repository';
import type { InstanceRole } from '../persistence/users/user.schema';

/** Grants or revokes instance admin; the one way the first admin is made. */
@Injectable()
abstract class InstanceRoleCommand extends CommandRunner {
  protected abstract readonly role: InstanceRole;

  constructor(private readonly users: UsersRepository) {
    super();
  }

  async run([username]: string[]): Promise<void> {
    if (!(await this.users.setRole(username.toLowerCase(), this.role))) {
      throw new Error(`No user is named ${username}`);
    }
    console.log(
      this.role === 'admin'
        ? `${username} is now an instance admin`
        : `${username} is no longer an instance admin`,
    );
  }
}

@Command({
  name: 'users:grant-admin',
  arguments: '<username>',
  description: 'make a user an instance admin',
})
export class GrantAdminCommand extends InstanceRoleCommand {
  protected readonly role = 'admin';
}

@Command({
  name: 'users:revoke-admin',
  arguments: '<username>',
  description: "take a user's instance admin away",
})
export class RevokeAdminCommand extends InstanceRoleCommand {
  protected readonly role = 'user';
}
