/** The end user a request is made for (the gateway passes it; admins see every app). */
export interface Viewer {
  readonly id: string;
  readonly isAdmin: boolean;
}
