/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "matrix-wiring.h"

#include "macro.h"

static unsigned find(unsigned *parent, unsigned x) {
        while (parent[x] != x)
                x = parent[x] = parent[parent[x]];
        return x;
}

uint32_t matrix_wiring_rows_low(unsigned rows, unsigned cols, const bool down[DL_MATRIX_MAX][DL_MATRIX_MAX],
                                uint32_t columns) {
        unsigned parent[2 * DL_MATRIX_MAX];
        uint32_t low = 0;

        for (unsigned i = 0; i < ELEMENTSOF(parent); i++)
                parent[i] = i;
        for (unsigned r = 0; r < rows; r++)
                for (unsigned c = 0; c < cols; c++)
                        if (down[r][c])
                                parent[find(parent, r)] = find(parent, rows + c);
        for (unsigned r = 0; r < rows; r++)
                for (unsigned c = 0; c < cols; c++)
                        if ((columns & (UINT32_C(1) << c)) && find(parent, r) == find(parent, rows + c))
                                low |= UINT32_C(1) << r;
        return low;
}
