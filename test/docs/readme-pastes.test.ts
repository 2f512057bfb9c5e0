import { checkReadmePastes } from './readme-pastes.js';

// The first half of the README's console pastes; `npm run readme` rewrites them all from here.
checkReadmePastes(0);
