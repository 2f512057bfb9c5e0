import { checkReadmePastes } from './readme-pastes.js';

// The second half of the README's console pastes, run beside the first.
checkReadmePastes(1);
