/** The room every socket of a user joins: an emit to it reaches all of their connections. */
export const userRoom = (userId: string): string => `user:${userId}`;
