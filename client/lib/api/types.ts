/** A ticket as the tickets service returns it. */
export interface Ticket {
  id: string;
  title: string;
  price: number;
  userId: string;
  version: number;
  createdAt: string;
}

/** The signed-in user, as the auth service's currentuser route describes it. */
export interface CurrentUser {
  id: string;
  email: string;
  iat: number;
  exp: number;
}

/** One entry of the contract's error body `{ errors: [...] }`. */
export interface ApiError {
  message: string;
  field?: string;
}
