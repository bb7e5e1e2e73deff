/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The electrical model of a matrix keypad, shared by test-matrix-keypad and
 * fuzz-matrix-keypad: which rows read low when `columns` are driven low and
 * the keys in `down` are pressed.  Pressed keys join their row and column;
 * three keys on a rectangle's corners also join the fourth (ghosting), so
 * connected rows and columns are one node. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "matrix-keypad.h"

uint32_t matrix_wiring_rows_low(unsigned rows, unsigned cols, const bool down[DL_MATRIX_MAX][DL_MATRIX_MAX],
                                uint32_t columns);
