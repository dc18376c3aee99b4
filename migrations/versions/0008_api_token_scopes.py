"""api token scopes

Each API token reads only or reads and writes. Existing tokens could write: they get the
"write" scope.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:06:27.526145

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), server_default='write', nullable=False))
        batch_op.create_check_constraint(op.f('ck_api_tokens_scope_known'), "scope IN ('read', 'write')")


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_api_tokens_scope_known'), type_='check')
        batch_op.drop_column('scope')
